package runner

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// RecordDecoder turns one results line into a Result. It is the results
// format's reader of records, used by Reader and by the report, on the same
// scanner (jscan) that reads the endpoint's events.
//
// A report over a million records spends most of its time here, and
// encoding/json (reflection, a validating pre-pass, a second pass for the
// record type) reads about 60 MB/s. The fast path reads the shape the
// writer writes — an object of known, plain ASCII keys, integer numbers,
// strings without escapes — in one pass with no reflection and no
// allocation for the common fields. Anything else (an escaped string aside)
// makes it give up and hand the whole line to encoding/json, so the
// semantics, including every error, stay encoding/json's. FuzzDecodeRecord
// checks the two agree on arbitrary input.
type RecordDecoder struct {
	usage  Usage
	intern map[string]string // target, model, tier, status …: a handful of values, seen a million times
	fast   int64             // lines decoded on the fast path
	slow   int64             // lines handed to encoding/json
}

// NewRecordDecoder returns a decoder; one per goroutine.
func NewRecordDecoder() *RecordDecoder {
	return &RecordDecoder{intern: make(map[string]string)}
}

// Counts reports how many lines took the fast path and how many were
// handed to encoding/json, for the report's diagnostics and for tests.
func (d *RecordDecoder) Counts() (fast, slow int64) { return d.fast, d.slow }

// Decode fills r from line. It keeps r's slices' capacity between calls, so
// a caller that reuses r decodes without allocating. r.Usage, when set,
// points into the decoder and is valid until the next call.
func (d *RecordDecoder) Decode(line []byte, r *Result) error {
	ev, ch, tr := r.EventsUS[:0], r.EventChars[:0], r.TruthEventsUS[:0]
	*r = Result{}
	if d.decodeFast(line, r, ev, ch, tr) {
		d.fast++
		return nil
	}
	d.slow++
	*r = Result{}
	return json.Unmarshal(line, r)
}

// resultKeys are the JSON names of Result's fields. A key that matches one
// of them only case-insensitively (encoding/json accepts that) sends the
// line to the slow path.
var resultKeys = func() []string {
	t := reflect.TypeFor[Result]()
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
// fails when Result grows a field that is not among them.
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

// foldsTo reports whether key equals one of names only case-insensitively
// (an exact match has been handled by the caller's switch).
func foldsTo(key []byte, names []string) bool {
	for _, n := range names {
		if len(n) == len(key) && strings.EqualFold(n, string(key)) {
			return true
		}
	}
	return false
}

var usageKeys = []string{"prompt_tokens", "completion_tokens", "cached_tokens", "reasoning_tokens"}

// plainKey reports whether a raw key is plain ASCII without escapes, so a
// key that matched no field by its bytes names none; anything else is left
// to encoding/json, which decodes escapes and folds Unicode when matching
// keys. (A key that matched a field exactly is plain by construction.)
func plainKey(key []byte) bool {
	for _, c := range key {
		if c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

// decodeFast reports false when the line is not in the simple shape; r is
// then garbage and the caller starts over with encoding/json.
func (d *RecordDecoder) decodeFast(line []byte, r *Result, ev []int64, ch []int32, tr []int64) bool {
	s := jscan{b: line}
	if ok, err := s.open('{'); !ok || err != nil {
		return false
	}
	first := true
	for {
		key, more, err := s.member(&first)
		if err != nil {
			return false
		}
		if !more {
			break
		}
		if !d.field(&s, key, r, &ev, &ch, &tr) {
			return false
		}
	}
	s.close()
	return s.end() == nil
}

// field decodes the value of one key into r.
func (d *RecordDecoder) field(s *jscan, key []byte, r *Result, ev *[]int64, ch *[]int32, tr *[]int64) bool {
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
		return s.intField(&r.Stage)
	case "warmup":
		return s.bool(&r.Warmup)
	case "prefix_group":
		return s.intField(&r.Prefix)
	case "session":
		return s.int64(&r.Session)
	case "turn":
		return s.intField(&r.Turn)
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
		return s.intField(&r.HTTPStatus)
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
		return s.intField(&r.EstPromptTokens)
	case "est_completion_tokens":
		return s.intField(&r.EstCompletionTokens)
	case "max_tokens":
		return s.intField(&r.MaxTokens)
	case "reasoning_chars":
		return s.intField(&r.ReasoningChars)
	case "content_chars":
		return s.intField(&r.ContentChars)
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
		return s.intField(&r.ToolChars)
	case "truth_headers_us":
		return s.int64(&r.TruthHeadersUS)
	case "zero_completion":
		return s.bool(&r.ZeroCompletion)
	case "content_encoding":
		return d.str(s, &r.ContentEncoding, true)
	case "usage_invalid":
		return d.str(s, &r.UsageInvalid, false)
	}
	if !plainKey(key) || foldsTo(key, resultKeys) {
		return false // maybe a Result field's key escaped or case-folded: encoding/json decodes it
	}
	return s.skip() == nil
}

// usageObj decodes the server's usage object. As encoding/json does, a
// second "usage" key decodes into the first one's object, and null clears it.
func (d *RecordDecoder) usageObj(s *jscan, r *Result) bool {
	if s.null() {
		r.Usage = nil
		return true
	}
	if ok, err := s.open('{'); !ok || err != nil {
		return false
	}
	if r.Usage == nil {
		d.usage = Usage{}
		r.Usage = &d.usage
	}
	u := r.Usage
	first := true
	for {
		key, more, err := s.member(&first)
		if err != nil {
			return false
		}
		if !more {
			break
		}
		var ok bool
		switch string(key) {
		case "prompt_tokens":
			ok = s.intField(&u.PromptTokens)
		case "completion_tokens":
			ok = s.intField(&u.CompletionTokens)
		case "cached_tokens":
			ok = s.intField(&u.CachedTokens)
		case "reasoning_tokens":
			ok = s.intField(&u.ReasoningTokens)
		default:
			ok = plainKey(key) && !foldsTo(key, usageKeys) && s.skip() == nil
		}
		if !ok {
			return false
		}
	}
	s.close()
	return true
}

// str decodes a string (or null, which leaves dst alone). A plain string
// (no escapes, valid UTF-8) is its own value and is read in place; intern
// says the value is one of few (a target name) and worth sharing. A string
// with escapes or invalid UTF-8 is decoded by encoding/json on its own, so
// its rules (\u surrogates, replacement characters) stay exact.
func (d *RecordDecoder) str(s *jscan, dst *string, intern bool) bool {
	if s.null() {
		return true
	}
	at := s.i // null skipped the white space: the opening quote
	raw, runes, err := s.str()
	if err != nil {
		return false
	}
	if !plainString(raw, runes) {
		return json.Unmarshal(s.b[at:s.i], dst) == nil
	}
	if !intern {
		*dst = string(raw)
		return true
	}
	if v, ok := d.intern[string(raw)]; ok {
		*dst = v
		return true
	}
	v := string(raw)
	if len(d.intern) < 4096 {
		d.intern[v] = v
	}
	*dst = v
	return true
}

// plainString reports whether a string's raw contents, with the rune count
// str returned, are its value: no escapes and valid UTF-8. When there are
// as many runes as bytes the string is ASCII, unless an invalid byte was
// counted as one rune.
func plainString(raw []byte, runes int) bool {
	if runes == len(raw) {
		for _, c := range raw {
			if c >= 0x80 {
				return false
			}
		}
		return true
	}
	return bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw)
}

// int64 reads an integer that fits int64 (or null, which leaves dst
// alone). A fraction, an exponent or an overflow is an error for
// encoding/json into an integer, so they send the line to the slow path,
// which reports it.
func (s *jscan) int64(dst *int64) bool {
	if s.null() {
		return true
	}
	v, ok, err := s.number()
	if ok && err == nil {
		*dst = v
	}
	return ok && err == nil
}

// intField is int64 for an int field (int is 64-bit on every platform we
// build for).
func (s *jscan) intField(dst *int) bool {
	if s.null() {
		return true
	}
	v, ok, err := s.number()
	if ok && err == nil {
		*dst = int(v)
	}
	return ok && err == nil
}

// float64 reads any JSON number with strconv.ParseFloat, as encoding/json
// does; a value out of float64's range is its error, so the slow path's.
func (s *jscan) float64(dst *float64) bool {
	if s.null() {
		return true
	}
	at := s.i
	if _, _, err := s.number(); err != nil {
		return false
	}
	tok := s.b[at:s.i]
	v, err := strconv.ParseFloat(unsafe.String(&tok[0], len(tok)), 64)
	if err != nil {
		return false
	}
	*dst = v
	return true
}

// bool reads true, false or null (which leaves dst alone).
func (s *jscan) bool(dst *bool) bool {
	switch s.peek() {
	case 't':
		*dst = true
		return s.literal("true") == nil
	case 'f':
		*dst = false
		return s.literal("false") == nil
	case 'n':
		return s.literal("null") == nil
	}
	return false
}

// ints decodes an array of integers in [lo, hi] into buf (reusing its
// capacity); null leaves dst nil, [] makes it empty, like encoding/json.
func ints[T int32 | int64](s *jscan, dst, buf *[]T, lo, hi int64) bool {
	if s.null() {
		*dst = nil
		return true
	}
	if ok, err := s.open('['); !ok || err != nil {
		return false
	}
	out := (*buf)[:0]
	first := true
	// Fast path: the runner writes these arrays (an event's offsets, a
	// token count per event) as digits and commas, nothing else. Numbers
	// of that form are read here through locals, up to eighteen digits
	// (below 2⁶³, so no overflow check); s.i only ever moves to the comma
	// or bracket after a number, so at anything else (a space, a sign, a
	// fraction, a longer number, a bad byte) the general loop below goes
	// on from there with the same strictness.
	for b, i := s.b, s.i; i < len(b); i++ {
		j, u := i, uint64(0)
		for end := min(len(b), i+18); j < end && b[j]-'0' <= 9; j++ {
			u = u*10 + uint64(b[j]-'0')
		}
		if j == i || j == len(b) || (b[j] != ',' && b[j] != ']') || (b[i] == '0' && j > i+1) ||
			int64(u) < lo || int64(u) > hi {
			break
		}
		out = append(out, T(u))
		first, s.i, i = false, j, j
		if b[j] == ']' {
			break
		}
	}
	for {
		more, err := s.element(&first)
		if err != nil {
			return false
		}
		if !more {
			break
		}
		v, ok, err := s.number()
		if !ok || err != nil || v < lo || v > hi {
			return false
		}
		out = append(out, T(v))
	}
	s.close()
	if out == nil {
		out = []T{}
	}
	*dst, *buf = out, out
	return true
}
