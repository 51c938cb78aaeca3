package runner

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

// normalize makes nil and empty slices alike: encoding/json and the fast
// path may differ there, and no reader of a Result can tell.
func normalize(r Result) Result {
	if len(r.EventsUS) == 0 {
		r.EventsUS = nil
	}
	if len(r.EventChars) == 0 {
		r.EventChars = nil
	}
	if len(r.TruthEventsUS) == 0 {
		r.TruthEventsUS = nil
	}
	return r
}

// agree decodes line both ways and fails when the fast path accepted a line
// encoding/json rejects, or decoded it differently.
func agree(t *testing.T, d *RecordDecoder, line []byte) {
	t.Helper()
	var want Result
	werr := json.Unmarshal(line, &want)
	// Reuse a dirty record: decode must clear every field.
	got := Result{K: 99, Target: "stale", EventsUS: []int64{1, 2, 3}, Usage: &Usage{PromptTokens: 5}}
	gerr := d.Decode(line, &got)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("line %q: encoding/json error %v, decoder error %v", line, werr, gerr)
	}
	if werr != nil {
		return
	}
	if !reflect.DeepEqual(normalize(want), normalize(got)) {
		t.Fatalf("line %q:\nencoding/json %+v\ndecoder       %+v", line, want, got)
	}
}

func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	d := NewRecordDecoder()
	lines := []string{
		// the runner's own shape, every field set
		`{"type":"result","k":7,"target":"mini","model":"doubao-seed-2.0-mini","class":"chat","tier":"32k","stage":1,"warmup":true,"prefix_group":2,"intended_us":-1,"sent_us":5,"lag_us":0,"connect_us":3,"ttfb_us":4,"ttft_us":5,"ttfat_us":6,"e2e_us":7,"events_us":[5,6,7],"event_chars":[1,2,3],"status":"ok","http_status":200,"error_class":"","error":"","retry_after":"2","finish_reason":"stop","usage":{"prompt_tokens":10,"completion_tokens":3,"cached_tokens":4,"reasoning_tokens":1},"est_prompt_tokens":9,"est_completion_tokens":3,"max_tokens":16,"reasoning_chars":4,"content_chars":8,"truth_ttft_us":5,"truth_events_us":[5],"conn_reused":true,"wrote_us":2,"tokens_per_event":1.5,"request_id":"req-1","tool_chars":3,"truth_headers_us":1}`,
		// floats: every JSON form, and one out of range
		`{"tokens_per_event":-0.25e+2}`, `{"tokens_per_event":1E400}`, `{"tokens_per_event":0}`, `{"tokens_per_event":1.}`,
		// whitespace everywhere JSON allows it
		" { \"k\" : 1 , \"events_us\" : [ 1 , 2 ] ,\t\"usage\":\r\n{ } } ",
		// escapes in strings go through encoding/json
		`{"error":"429: {\"error\":\"slow down\"}\n\u00e9\ud83d\ude00","target":"a\/b"}`,
		// non-ASCII and invalid UTF-8 in strings
		"{\"target\":\"变体\",\"error\":\"\xff\xfe\"}",
		// null everywhere
		`{"k":null,"target":null,"warmup":null,"events_us":null,"usage":null,"status":null}`,
		// duplicate keys: the last wins, usage merges
		`{"k":1,"k":2,"usage":{"prompt_tokens":1},"usage":{"completion_tokens":2},"status":"ok","status":null}`,
		// unknown keys of every kind are skipped
		`{"future":{"a":[1,2.5e3,{"b":null}],"c":"d"},"also":[true,false],"n":-0.5E-2,"k":3}`,
		// case-folded keys match in encoding/json
		`{"K":4,"Target":"x","USAGE":{"Prompt_Tokens":3}}`,
		// numbers encoding/json refuses for integers
		`{"k":1.0}`, `{"k":1e3}`, `{"k":01}`, `{"k":-}`, `{"k":9223372036854775808}`, `{"k":-9223372036854775808}`,
		`{"event_chars":[2147483648]}`, `{"event_chars":[-2147483648]}`, `{"k":12345678901234567890}`,
		// syntax errors
		`{"k":1,}`, `{"k":1`, `{"k" 1}`, `{"k":1} x`, `[1]`, `{"a":tru}`, `{"a":"\x"}`, "{\"a\":\"\x01\"}",
		`{"events_us":[1,]}`, `{"events_us":[1 2]}`, `{"usage":{"prompt_tokens":1,}}`, ``, `{}`,
		// arrays where the digits-and-commas fast path hands over to the
		// general loop: after a number, at a space, a sign, a fraction, a
		// leading zero, nineteen digits, a value out of range, the end
		`{"events_us":[1,2 ,3]}`, `{"events_us":[1, 2]}`, `{"events_us":[ 1,2]}`, `{"events_us":[1,-2,3]}`,
		`{"events_us":[1,2.5]}`, `{"events_us":[1,2e1]}`, `{"events_us":[0,01]}`, `{"events_us":[0,0,10]}`,
		`{"events_us":[1,1234567890123456789,2]}`, `{"events_us":[123456789012345678,1]}`,
		`{"events_us":[1,9223372036854775807]}`, `{"events_us":[1,9223372036854775808]}`,
		`{"event_chars":[1,2147483647,2147483648]}`, `{"events_us":[1,2`, `{"events_us":[1,`, `{"events_us":[`,
		`{"events_us":[1,,2]}`, `{"events_us":[1]]}`, `{"events_us":[],"event_chars":[7]}`, `{"events_us":[1,x]}`,
		// wrong types
		`{"k":"1"}`, `{"target":1}`, `{"warmup":"yes"}`, `{"events_us":{}}`, `{"usage":[]}`,
	}
	for _, l := range lines {
		agree(t, d, []byte(l))
	}
}

// TestFastPathCoversResult fails when Result grows a field the fast
// path does not decode: such lines would still decode correctly, through
// encoding/json, but several times slower.
func TestFastPathCoversResult(t *testing.T) {
	for _, k := range resultKeys {
		if !slices.Contains(fastKeys, k) {
			t.Errorf("Result field %q is not decoded by the fast path: add it to RecordDecoder.field and fastKeys", k)
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	f.Add([]byte(`{"type":"result","k":7,"target":"mini","events_us":[5,6,7],"usage":{"prompt_tokens":10},"status":"ok"}`))
	f.Add([]byte(`{"error":"a\"b","K":1,"x":[{"y":null}]}`))
	f.Add([]byte(`{"k":-9223372036854775808,"event_chars":[2147483647]}`))
	f.Add([]byte(`{"usage":{"cached_tokens":1},"usage":null}`))
	d := NewRecordDecoder()
	f.Fuzz(func(t *testing.T, line []byte) {
		agree(t, d, line)
	})
}
