package runner

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"unicode/utf8"
)

// appendResult appends r as one JSON object, byte for byte what
// json.Marshal(r) writes (same field order, omitempty, HTML-safe escaping,
// float format), without reflection or allocation. The results writer
// encodes every record of a run, tens of thousands a second at high rates;
// encoding/json's reflective walk was a tenth of the client's CPU there.
//
// Result's fields are listed here by hand. resultEncodable checks at start-
// up that Result has exactly the fields this function knows; if a field is
// added without updating it, the writer falls back to json.Marshal instead
// of silently dropping the field, and TestAppendResultMatchesMarshal fails.
func appendResult(b []byte, r *Result) []byte {
	b = append(b, `{"type":`...)
	b = appendString(b, r.Type)
	b = appendInt(b, `,"k":`, r.K)
	b = append(b, `,"target":`...)
	b = appendString(b, r.Target)
	b = append(b, `,"model":`...)
	b = appendString(b, r.Model)
	b = appendStr(b, `,"class":`, r.Class)
	b = appendStr(b, `,"tier":`, r.Tier)
	b = appendInt(b, `,"stage":`, int64(r.Stage))
	if r.Warmup {
		b = append(b, `,"warmup":true`...)
	}
	b = appendNonZero(b, `,"prefix_group":`, int64(r.Prefix))
	b = appendNonZero(b, `,"session":`, r.Session)
	b = appendNonZero(b, `,"turn":`, int64(r.Turn))
	b = appendInt(b, `,"intended_us":`, r.IntendedUS)
	b = appendInt(b, `,"sent_us":`, r.SentUS)
	b = appendInt(b, `,"lag_us":`, r.LagUS)
	b = appendNonZero(b, `,"connect_us":`, r.ConnectUS)
	if r.Reused {
		b = append(b, `,"conn_reused":true`...)
	}
	b = appendNonZero(b, `,"wrote_us":`, r.WroteUS)
	b = appendNonZero(b, `,"ttfb_us":`, r.TTFBUS)
	b = appendNonZero(b, `,"ttft_us":`, r.TTFTUS)
	b = appendNonZero(b, `,"ttfat_us":`, r.TTFATUS)
	b = appendInt(b, `,"e2e_us":`, r.E2EUS)
	b = appendInts(b, `,"events_us":`, r.EventsUS)
	if len(r.EventChars) > 0 {
		b = append(b, `,"event_chars":[`...)
		for i, c := range r.EventChars {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(c), 10)
		}
		b = append(b, ']')
	}
	if r.TokensPerEvent != 0 {
		b = append(b, `,"tokens_per_event":`...)
		b = appendFloat(b, r.TokensPerEvent)
	}
	b = append(b, `,"status":`...)
	b = appendString(b, string(r.Status))
	b = appendNonZero(b, `,"http_status":`, int64(r.HTTPStatus))
	b = appendStr(b, `,"error_class":`, r.ErrorClass)
	b = appendStr(b, `,"error":`, r.Error)
	b = appendStr(b, `,"error_code":`, r.ErrorCode)
	b = appendStr(b, `,"retry_after":`, r.RetryAfter)
	b = appendStr(b, `,"request_id":`, r.RequestID)
	b = appendNonZero(b, `,"rl_limit_requests":`, r.RLLimitRequests)
	b = appendNonZero(b, `,"rl_remaining_requests":`, r.RLRemainingRequests)
	b = appendStr(b, `,"rl_reset_requests":`, r.RLResetRequests)
	b = appendNonZero(b, `,"rl_limit_tokens":`, r.RLLimitTokens)
	b = appendNonZero(b, `,"rl_remaining_tokens":`, r.RLRemainingTokens)
	b = appendStr(b, `,"rl_reset_tokens":`, r.RLResetTokens)
	b = appendStr(b, `,"finish_reason":`, r.Finish)
	if r.ZeroCompletion {
		b = append(b, `,"zero_completion":true`...)
	}
	b = appendStr(b, `,"content_encoding":`, r.ContentEncoding)
	if u := r.Usage; u != nil {
		b = appendInt(b, `,"usage":{"prompt_tokens":`, int64(u.PromptTokens))
		b = appendInt(b, `,"completion_tokens":`, int64(u.CompletionTokens))
		b = appendNonZero(b, `,"cached_tokens":`, int64(u.CachedTokens))
		b = appendNonZero(b, `,"reasoning_tokens":`, int64(u.ReasoningTokens))
		b = append(b, '}')
	}
	b = appendStr(b, `,"usage_invalid":`, r.UsageInvalid)
	b = appendNonZero(b, `,"est_prompt_tokens":`, int64(r.EstPromptTokens))
	b = appendNonZero(b, `,"est_completion_tokens":`, int64(r.EstCompletionTokens))
	b = appendNonZero(b, `,"max_tokens":`, int64(r.MaxTokens))
	b = appendNonZero(b, `,"reasoning_chars":`, int64(r.ReasoningChars))
	b = appendNonZero(b, `,"content_chars":`, int64(r.ContentChars))
	b = appendNonZero(b, `,"tool_chars":`, int64(r.ToolChars))
	b = appendNonZero(b, `,"truth_headers_us":`, r.TruthHeadersUS)
	b = appendNonZero(b, `,"truth_ttft_us":`, r.TruthTTFTUS)
	b = appendInts(b, `,"truth_events_us":`, r.TruthEventsUS)
	return append(b, '}')
}

// resultFields and usageFields are the field counts appendResult was
// written for.
const resultFields, usageFields = 51, 4

// resultEncodable reports whether appendResult knows every field of Result
// and Usage (see appendResult).
var resultEncodable = reflect.TypeFor[Result]().NumField() == resultFields && reflect.TypeFor[Usage]().NumField() == usageFields

// encodeResult appends r and a newline, with json.Marshal when
// appendResult does not know Result's fields.
func encodeResult(b []byte, r *Result) ([]byte, error) {
	if resultEncodable {
		return append(appendResult(b, r), '\n'), nil
	}
	js, err := json.Marshal(r)
	if err != nil {
		return b, err
	}
	return append(append(b, js...), '\n'), nil
}

func appendInt(b []byte, key string, v int64) []byte {
	return strconv.AppendInt(append(b, key...), v, 10)
}

func appendNonZero(b []byte, key string, v int64) []byte {
	if v == 0 {
		return b
	}
	return appendInt(b, key, v)
}

func appendStr(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendString(append(b, key...), v)
}

func appendInts(b []byte, key string, xs []int64) []byte {
	if len(xs) == 0 {
		return b
	}
	b = append(append(b, key...), '[')
	for i, x := range xs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, x, 10)
	}
	return append(b, ']')
}

// appendFloat formats f as encoding/json does: the shortest representation,
// exponent form below 1e-6 and from 1e21, with a one-digit exponent kept
// short ("1e-07" becomes "1e-7"). NaN and infinities, which json.Marshal
// refuses, are written as 0 (a mean over zero events is never recorded).
func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, '0')
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string the way json.Marshal does: <, >
// and & escaped for HTML, invalid UTF-8 replaced by U+FFFD, U+2028 and
// U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
