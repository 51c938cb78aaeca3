package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/seedbench/seedbench/runner"
)

// recordDecoder turns one results line into a runner.Result.
//
// A report over a million records spends most of its time here, and
// encoding/json (reflection, a validating pre-pass, a second pass for the
// record type) reads about 60 MB/s. The fast path below reads the shape the
// runner writes — a flat object of known keys, ASCII keys, integer numbers,
// strings without escapes — in one pass with no reflection and no allocation
// for the common fields. Anything else (an escaped string aside) makes it
// give up and hand the whole line to encoding/json, so the semantics,
// including every error, stay encoding/json's. FuzzDecodeRecord checks the
// two agree on arbitrary input.
type recordDecoder struct {
	usage  runner.Usage
	intern map[string]string // target, model, tier, status …: a handful of values, seen a million times
	fast   int64             // lines decoded on the fast path
	slow   int64             // lines handed to encoding/json
}

func newRecordDecoder() *recordDecoder {
	return &recordDecoder{intern: make(map[string]string)}
}

// decode fills r from line. It keeps r's slices' capacity between calls, so a
// caller that reuses r decodes without allocating. r.Usage, when set, points
// into the decoder and is valid until the next call.
func (d *recordDecoder) decode(line []byte, r *runner.Result) error {
	ev, ch, tr := r.EventsUS[:0], r.EventChars[:0], r.TruthEventsUS[:0]
	*r = runner.Result{}
	if d.decodeFast(line, r, ev, ch, tr) {
		d.fast++
		return nil
	}
	d.slow++
	*r = runner.Result{}
	return json.Unmarshal(line, r)
}

// resultKeys are the JSON names of runner.Result's fields. A key that matches
// one of them only case-insensitively (encoding/json accepts that) sends the
// line to the slow path.
var resultKeys = func() []string {
	t := reflect.TypeFor[runner.Result]()
	keys := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
}()

// fastKeys are the keys decodeFast understands; TestFastPathCoversResult
// fails when runner.Result grows a field that is not among them.
var fastKeys = []string{
	"type", "k", "target", "model", "class", "tier", "stage", "warmup", "prefix_group", "session", "turn",
	"intended_us", "sent_us", "lag_us", "connect_us", "ttfb_us", "ttft_us", "ttfat_us", "e2e_us",
	"events_us", "event_chars", "status", "http_status", "error_class", "error", "retry_after",
	"finish_reason", "usage", "est_prompt_tokens", "est_completion_tokens", "max_tokens",
	"reasoning_chars", "content_chars", "truth_ttft_us", "truth_events_us",
	"conn_reused", "wrote_us", "tokens_per_event", "request_id", "tool_chars", "truth_headers_us",
	"error_code", "zero_completion", "content_encoding", "usage_invalid",
	"rl_limit_requests", "rl_remaining_requests", "rl_reset_requests", "rl_limit_tokens", "rl_remaining_tokens", "rl_reset_tokens",
}

// isResultKeyFold reports whether key names a Result field only by a
// case-insensitive match.
func isResultKeyFold(key []byte) bool {
	for _, k := range resultKeys {
		if len(k) == len(key) && strings.EqualFold(k, string(key)) {
			return true
		}
	}
	return false
}

// decodeFast reports false when the line is not in the simple shape; r is
// then garbage and the caller starts over with encoding/json.
func (d *recordDecoder) decodeFast(line []byte, r *runner.Result, ev []int64, ch []int32, tr []int64) bool {
	s := scan{b: line}
	s.ws()
	if !s.eat('{') {
		return false
	}
	s.ws()
	if s.eat('}') {
		s.ws()
		return s.end()
	}
	for {
		s.ws()
		key, ok := s.key()
		if !ok {
			return false
		}
		s.ws()
		if !s.eat(':') {
			return false
		}
		s.ws()
		if !d.field(&s, key, r, &ev, &ch, &tr) {
			return false
		}
		s.ws()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			break
		}
		return false
	}
	s.ws()
	return s.end()
}

// field decodes the value of one key into r.
func (d *recordDecoder) field(s *scan, key []byte, r *runner.Result, ev *[]int64, ch *[]int32, tr *[]int64) bool {
	switch string(key) {
	case "type":
		return d.str(s, &r.Type, true)
	case "k":
		return s.int64(&r.K)
	case "target":
		return d.str(s, &r.Target, true)
	case "model":
		return d.str(s, &r.Model, true)
	case "class":
		return d.str(s, &r.Class, true)
	case "tier":
		return d.str(s, &r.Tier, true)
	case "stage":
		return s.int(&r.Stage)
	case "warmup":
		return s.bool(&r.Warmup)
	case "prefix_group":
		return s.int(&r.Prefix)
	case "session":
		return s.int64(&r.Session)
	case "turn":
		return s.int(&r.Turn)
	case "intended_us":
		return s.int64(&r.IntendedUS)
	case "sent_us":
		return s.int64(&r.SentUS)
	case "lag_us":
		return s.int64(&r.LagUS)
	case "connect_us":
		return s.int64(&r.ConnectUS)
	case "ttfb_us":
		return s.int64(&r.TTFBUS)
	case "ttft_us":
		return s.int64(&r.TTFTUS)
	case "ttfat_us":
		return s.int64(&r.TTFATUS)
	case "e2e_us":
		return s.int64(&r.E2EUS)
	case "events_us":
		return ints(s, &r.EventsUS, ev, -1<<63, 1<<63-1)
	case "event_chars":
		return ints(s, &r.EventChars, ch, -1<<31, 1<<31-1)
	case "status":
		return d.str(s, (*string)(&r.Status), true)
	case "http_status":
		return s.int(&r.HTTPStatus)
	case "error_class":
		return d.str(s, &r.ErrorClass, true)
	case "error":
		return d.str(s, &r.Error, false)
	case "retry_after":
		return d.str(s, &r.RetryAfter, true)
	case "finish_reason":
		return d.str(s, &r.Finish, true)
	case "usage":
		return d.usageObj(s, r)
	case "est_prompt_tokens":
		return s.int(&r.EstPromptTokens)
	case "est_completion_tokens":
		return s.int(&r.EstCompletionTokens)
	case "max_tokens":
		return s.int(&r.MaxTokens)
	case "reasoning_chars":
		return s.int(&r.ReasoningChars)
	case "content_chars":
		return s.int(&r.ContentChars)
	case "truth_ttft_us":
		return s.int64(&r.TruthTTFTUS)
	case "truth_events_us":
		return ints(s, &r.TruthEventsUS, tr, -1<<63, 1<<63-1)
	case "conn_reused":
		return s.bool(&r.Reused)
	case "wrote_us":
		return s.int64(&r.WroteUS)
	case "tokens_per_event":
		return s.float64(&r.TokensPerEvent)
	case "request_id":
		return d.str(s, &r.RequestID, false)
	case "error_code":
		return d.str(s, &r.ErrorCode, false)
	case "rl_limit_requests":
		return s.int64(&r.RLLimitRequests)
	case "rl_remaining_requests":
		return s.int64(&r.RLRemainingRequests)
	case "rl_reset_requests":
		return d.str(s, &r.RLResetRequests, false)
	case "rl_limit_tokens":
		return s.int64(&r.RLLimitTokens)
	case "rl_remaining_tokens":
		return s.int64(&r.RLRemainingTokens)
	case "rl_reset_tokens":
		return d.str(s, &r.RLResetTokens, false)
	case "tool_chars":
		return s.int(&r.ToolChars)
	case "truth_headers_us":
		return s.int64(&r.TruthHeadersUS)
	case "zero_completion":
		return s.bool(&r.ZeroCompletion)
	case "content_encoding":
		return d.str(s, &r.ContentEncoding, true)
	case "usage_invalid":
		return d.str(s, &r.UsageInvalid, false)
	}
	if isResultKeyFold(key) {
		return false // a field of Result we do not decode here, or a case-folded key
	}
	return s.skip(0)
}

// usageObj decodes the server's usage object. As encoding/json does, a
// second "usage" key decodes into the first one's object, and null clears it.
func (d *recordDecoder) usageObj(s *scan, r *runner.Result) bool {
	if s.lit("null") {
		r.Usage = nil
		return true
	}
	if !s.eat('{') {
		return false
	}
	if r.Usage == nil {
		d.usage = runner.Usage{}
		r.Usage = &d.usage
	}
	u := r.Usage
	s.ws()
	if s.eat('}') {
		return true
	}
	for {
		s.ws()
		key, ok := s.key()
		if !ok {
			return false
		}
		s.ws()
		if !s.eat(':') {
			return false
		}
		s.ws()
		switch string(key) {
		case "prompt_tokens":
			ok = s.int(&u.PromptTokens)
		case "completion_tokens":
			ok = s.int(&u.CompletionTokens)
		case "cached_tokens":
			ok = s.int(&u.CachedTokens)
		case "reasoning_tokens":
			ok = s.int(&u.ReasoningTokens)
		default:
			ok = !foldsTo(key, "prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens") && s.skip(1)
		}
		if !ok {
			return false
		}
		s.ws()
		if s.eat(',') {
			continue
		}
		return s.eat('}')
	}
}

func foldsTo(key []byte, names ...string) bool {
	for _, n := range names {
		if len(n) == len(key) && strings.EqualFold(n, string(key)) {
			return true
		}
	}
	return false
}

// str decodes a string (or null, which leaves dst alone). Strings without
// escapes are read in place; intern says the value is one of few (a target
// name) and worth sharing. A string with escapes is decoded by encoding/json
// on its own, so its rules (\u surrogates, invalid UTF-8) stay exact.
func (d *recordDecoder) str(s *scan, dst *string, intern bool) bool {
	if s.lit("null") {
		return true
	}
	raw, plain, ok := s.stringToken()
	if !ok {
		return false
	}
	if !plain {
		return json.Unmarshal(raw, dst) == nil
	}
	body := raw[1 : len(raw)-1]
	if !intern {
		*dst = string(body)
		return true
	}
	if v, ok := d.intern[string(body)]; ok {
		*dst = v
		return true
	}
	v := string(body)
	if len(d.intern) < 4096 {
		d.intern[v] = v
	}
	*dst = v
	return true
}

// scan is a cursor over one JSON line.
type scan struct {
	b []byte
	i int
}

func (s *scan) end() bool { return s.i == len(s.b) }

func (s *scan) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scan) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *scan) lit(word string) bool {
	if bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		s.i += len(word)
		return true
	}
	return false
}

// key reads an object key that is plain ASCII without escapes; anything else
// is left to the slow path (encoding/json folds Unicode when matching keys).
func (s *scan) key() ([]byte, bool) {
	if !s.eat('"') {
		return nil, false
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			k := s.b[start:s.i]
			s.i++
			return k, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, false
		}
		s.i++
	}
	return nil, false
}

// stringToken returns a whole string token including its quotes, and whether
// it is plain (no escapes, valid UTF-8) so its body is its value.
func (s *scan) stringToken() (raw []byte, plain, ok bool) {
	if !s.eat('"') {
		return nil, false, false
	}
	start := s.i - 1
	plain = true
	ascii := true
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			raw = s.b[start:s.i]
			if plain && !ascii && !utf8.Valid(raw) {
				plain = false
			}
			return raw, plain, true
		case c == '\\':
			plain = false
			if s.i+1 >= len(s.b) {
				return nil, false, false
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.b) {
					return nil, false, false
				}
				for _, h := range s.b[s.i+2 : s.i+6] {
					if !isHex(h) {
						return nil, false, false
					}
				}
				s.i += 6
			default:
				return nil, false, false
			}
			continue
		case c < 0x20:
			return nil, false, false
		case c >= 0x80:
			ascii = false
		}
		s.i++
	}
	return nil, false, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// integer reads a JSON number that is an integer in [min, max]. A fraction,
// an exponent or an overflow is an error for encoding/json into an integer,
// so they send the line to the slow path, which reports it.
func (s *scan) integer(min, max int64) (int64, bool) {
	neg := s.eat('-')
	if s.i >= len(s.b) {
		return 0, false
	}
	var u uint64
	lim := uint64(max)
	if neg {
		lim = uint64(-(min + 1)) + 1
	}
	if s.b[s.i] == '0' {
		s.i++
	} else {
		start := s.i
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			if s.i-start >= 19 { // more digits than any int64: let encoding/json say so
				return 0, false
			}
			u = u*10 + uint64(s.b[s.i]-'0')
			s.i++
		}
		if s.i == start {
			return 0, false
		}
	}
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case '.', 'e', 'E', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
			return 0, false
		}
	}
	if u > lim {
		return 0, false
	}
	switch {
	case !neg:
		return int64(u), true
	case u == 0:
		return 0, true
	}
	return -int64(u-1) - 1, true // -2^63 has no positive counterpart
}

func (s *scan) int64(dst *int64) bool {
	if s.lit("null") {
		return true
	}
	v, ok := s.integer(-1<<63, 1<<63-1)
	if ok {
		*dst = v
	}
	return ok
}

func (s *scan) int(dst *int) bool {
	if s.lit("null") {
		return true
	}
	v, ok := s.integer(-1<<63, 1<<63-1) // int is 64-bit on every platform we build for
	if ok {
		*dst = int(v)
	}
	return ok
}

// float64 reads any JSON number with strconv.ParseFloat, as encoding/json
// does; a value out of float64's range is its error, so the slow path's.
func (s *scan) float64(dst *float64) bool {
	if s.lit("null") {
		return true
	}
	start := s.i
	if !s.number() {
		return false
	}
	tok := s.b[start:s.i]
	v, err := strconv.ParseFloat(unsafe.String(&tok[0], len(tok)), 64)
	if err != nil {
		return false
	}
	*dst = v
	return true
}

func (s *scan) bool(dst *bool) bool {
	switch {
	case s.lit("true"):
		*dst = true
	case s.lit("false"):
		*dst = false
	case s.lit("null"):
	default:
		return false
	}
	return true
}

// ints decodes an array of integers in [lo, hi] into buf (reusing its
// capacity); null leaves dst nil, [] makes it empty, like encoding/json.
func ints[T int32 | int64](s *scan, dst, buf *[]T, lo, hi int64) bool {
	if s.lit("null") {
		*dst = nil
		return true
	}
	if !s.eat('[') {
		return false
	}
	out := (*buf)[:0]
	s.ws()
	if !s.eat(']') {
		for {
			s.ws()
			v, ok := s.integer(lo, hi)
			if !ok {
				return false
			}
			out = append(out, T(v))
			s.ws()
			if s.eat(',') {
				continue
			}
			if s.eat(']') {
				break
			}
			return false
		}
	}
	if out == nil {
		out = []T{}
	}
	*dst, *buf = out, out
	return true
}

// skip passes over one valid JSON value of any kind; invalid JSON returns
// false (the slow path then reports the syntax error).
func (s *scan) skip(depth int) bool {
	if depth > 64 {
		return false
	}
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		_, _, ok := s.stringToken()
		return ok
	case c == '{':
		s.i++
		s.ws()
		if s.eat('}') {
			return true
		}
		for {
			s.ws()
			if _, _, ok := s.stringToken(); !ok {
				return false
			}
			s.ws()
			if !s.eat(':') {
				return false
			}
			s.ws()
			if !s.skip(depth + 1) {
				return false
			}
			s.ws()
			if s.eat(',') {
				continue
			}
			return s.eat('}')
		}
	case c == '[':
		s.i++
		s.ws()
		if s.eat(']') {
			return true
		}
		for {
			s.ws()
			if !s.skip(depth + 1) {
				return false
			}
			s.ws()
			if s.eat(',') {
				continue
			}
			return s.eat(']')
		}
	case c == 't':
		return s.lit("true")
	case c == 'f':
		return s.lit("false")
	case c == 'n':
		return s.lit("null")
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return false
}

// number passes over a JSON number of any form.
func (s *scan) number() bool {
	s.eat('-')
	if s.i >= len(s.b) {
		return false
	}
	if s.b[s.i] == '0' {
		s.i++
	} else if !s.digits() {
		return false
	}
	if s.eat('.') && !s.digits() {
		return false
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if !s.eat('+') {
			s.eat('-')
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

func (s *scan) digits() bool {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}
