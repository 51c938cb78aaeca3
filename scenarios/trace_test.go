package scenarios

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/seedbench/seedbench/mockserver"
	"github.com/seedbench/seedbench/runner"
)

// writeScenario puts a scenario and its source file in a temp directory and
// parses it from there, as `seedbench run DIR/s.yaml` would.
func writeScenario(t *testing.T, yaml, dataName, data string) (*Scenario, error) {
	t.Helper()
	dir := t.TempDir()
	if dataName != "" {
		if err := os.WriteFile(filepath.Join(dir, dataName), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	return Parse(p, b)
}

const traceScenario = `name: t
targets: [{name: mini, model: doubao-seed-2.0-mini}]
source: {trace: trace.jsonl}
load: {seed: 1, max_in_flight: 8}
`

// userContent is the user message of a request body.
func userContent(t *testing.T, body []byte) string {
	t.Helper()
	var b struct {
		Messages []struct {
			Content string `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &b); err != nil || len(b.Messages) != 1 {
		t.Fatalf("body %.200s: %v", body, err)
	}
	return b.Messages[0].Content
}

var (
	promptRE = regexp.MustCompile(`"prompt_tokens":(\d+)`)
	cachedRE = regexp.MustCompile(`"cached_tokens":(\d+)`)
)

// usageOf sends body to the mock and returns prompt and cached tokens.
func usageOf(t *testing.T, url string, body []byte) (prompt, cached int) {
	t.Helper()
	resp, err := http.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if m := promptRE.FindStringSubmatch(line); m != nil {
			prompt, _ = strconv.Atoi(m[1])
			c := cachedRE.FindStringSubmatch(line)
			cached, _ = strconv.Atoi(c[1])
		}
	}
	if prompt == 0 {
		t.Fatalf("no usage in the answer (status %d)", resp.StatusCode)
	}
	return prompt, cached
}

// TestMooncakeSharedBlocks: rows sharing their first hash ids get prompts
// with exactly that shared prefix (and no more), and the mock's prefix
// cache reports the shared part as cached, to its own block size.
func TestMooncakeSharedBlocks(t *testing.T) {
	trace := `{"timestamp": 0, "input_length": 1536, "output_length": 4, "hash_ids": [1, 2, 3]}
{"timestamp": 10, "input_length": 2048, "output_length": 4, "hash_ids": [1, 2, 3, 4]}
{"timestamp": 20, "input_length": 1536, "output_length": 4, "hash_ids": [9, 2, 3]}
`
	s, err := writeScenario(t, traceScenario, "trace.jsonl", trace)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := p.Source.Request(0), p.Source.Request(1), p.Source.Request(2)
	ta, tb, tc := userContent(t, a.Body), userContent(t, b.Body), userContent(t, c.Body)
	// B is A's three blocks and one more: A is exactly B's prefix.
	if !strings.HasPrefix(tb, ta) || len(tb) <= len(ta) || !strings.HasPrefix(tb[len(ta):], "\n\nBlock ") {
		t.Fatalf("B does not continue A's blocks with a fourth:\nA %.120q…\nB %.120q…", ta, tb)
	}
	// C starts with block 9: it shares only the marker word with A.
	common := 0
	for common < len(ta) && common < len(tc) && ta[common] == tc[common] {
		common++
	}
	if common > len("\n\nBlock ") {
		t.Fatalf("A and C share %d bytes (%q); block 9 should differ from block 1 at once", common, ta[:common])
	}

	srv := mockserver.New(mockserver.DefaultConfig())
	defer srv.Close()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	promptA, cachedA := usageOf(t, hs.URL, a.Body)
	_, cachedB := usageOf(t, hs.URL, b.Body)
	_, cachedC := usageOf(t, hs.URL, c.Body)
	// The mock caches 64-token blocks of the rendered prompt; B shares all
	// of A but the 3 tokens of the assistant prefix after A's message.
	const block = 64
	want := (promptA - 3) / block * block
	if cachedA != 0 || cachedB != want || cachedC != 0 {
		t.Fatalf("cached tokens A %d, B %d, C %d; want 0, %d (A's %d prompt tokens to the block), 0", cachedA, cachedB, cachedC, want, promptA)
	}
	// And that is about three of the trace's 512-token blocks.
	if cachedB < 3*512*3/4 || cachedB > 3*512*5/4 {
		t.Errorf("B's %d cached tokens are far from the trace's 3 × 512", cachedB)
	}
}

// TestTraceTimes: the pacer sends each row at its offset, divided by the
// speed, gaps capped, once per target.
func TestTraceTimes(t *testing.T) {
	rows := []sourceRow{{at: 0}, {at: 1_000_000}, {at: 1_500_000}, {at: 61_500_000}}
	for _, tc := range []struct {
		name   string
		speed  float64
		maxGap time.Duration
		want   []time.Duration
	}{
		// As recorded.
		{"real time", 1, 0, []time.Duration{0, time.Second, 1500 * time.Millisecond, 61500 * time.Millisecond}},
		// Twice as fast halves every gap.
		{"speed 2", 2, 0, []time.Duration{0, 500 * time.Millisecond, 750 * time.Millisecond, 30750 * time.Millisecond}},
		// The minute of silence is cut to 5 s; shorter gaps stay.
		{"max gap", 1, 5 * time.Second, []time.Duration{0, time.Second, 1500 * time.Millisecond, 6500 * time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := traceTimes(rows, tc.speed, tc.maxGap)
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("times %v, want %v", got, tc.want)
				}
			}
			// Two targets: each row is due twice, at the same time.
			var at []time.Duration
			runner.Intended(runner.Stage{Pacer: tracePacer{times: got, targets: 2}, Duration: got[len(got)-1] + time.Millisecond},
				func(_ uint64, d time.Duration) bool { at = append(at, d); return true })
			if len(at) != 2*len(rows) || at[2] != got[1] || at[3] != got[1] || at[7] != got[3] {
				t.Fatalf("intended %v for rows at %v", at, got)
			}
		})
	}
}

// TestAzureTrace: the CSV's timestamps become offsets from the first row,
// its token columns the lengths.
func TestAzureTrace(t *testing.T) {
	csv := "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:50.1805900,396,109\n2023-11-16 18:15:50.18059,879,1\n"
	s, err := writeScenario(t, strings.Replace(traceScenario, "trace.jsonl", "az.csv", 1), "az.csv", csv)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	f := p.Source.file
	if f.format != FormatAzure || len(f.rows) != 3 || f.rows[1].at != 3_500_000 || f.rows[2].at != 3_500_000 || f.rows[2].input != 879 {
		t.Fatalf("rows %+v (format %s)", f.rows, f.format)
	}
	if r := p.Source.Request(1); r.MaxTokens != 109 || r.EstPromptTokens != 396 {
		t.Fatalf("request 1: %+v", r)
	}
	if n, _ := p.Planned(0); n != 3 {
		t.Fatalf("planned %d", n)
	}
}

// TestSourceFileErrors: a bad line is named FILE:LINE with what is wrong.
func TestSourceFileErrors(t *testing.T) {
	dataset := `name: d
targets: [{name: mini, model: doubao-seed-2.0-mini}]
source: {dataset: data.jsonl}
load: {seed: 1, max_in_flight: 8, stages: [{kind: constant, rate: 1/s, duration: 2s}]}
`
	for _, tc := range []struct {
		name, yaml, file, data, want string
	}{
		{"mooncake bad json", traceScenario, "trace.jsonl", "{\"timestamp\": 0, \"input_length\": 5, \"output_length\": 1}\n{\"timestamp\": 1,\n", "trace.jsonl:2: not a Mooncake trace row"},
		{"mooncake missing field", traceScenario, "trace.jsonl", "\n{\"timestamp\": 0, \"output_length\": 1}\n", "trace.jsonl:2: input_length is missing"},
		{"mooncake out of order", traceScenario, "trace.jsonl", "{\"timestamp\": 5, \"input_length\": 5, \"output_length\": 1}\n{\"timestamp\": 1, \"input_length\": 5, \"output_length\": 1}\n", "trace.jsonl:2: timestamp 1 is earlier"},
		{"azure bad tokens", strings.Replace(traceScenario, "trace.jsonl", "a.csv", 1), "a.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,10,2\n2023-11-16 18:15:47.68,ten,2\n", "a.csv:3: ContextTokens \"ten\""},
		{"azure no column", strings.Replace(traceScenario, "trace.jsonl", "a.csv", 1), "a.csv", "TIMESTAMP,Tokens\n", "a.csv:1: the header has no ContextTokens column"},
		{"dataset bad role", dataset, "data.jsonl", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n{\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}\n", "data.jsonl:2: messages[0].role \"robot\""},
		{"dataset not json", dataset, "data.jsonl", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n\n\nnot json\n", "data.jsonl:4: not a JSON object"},
		{"dataset array", dataset, "data.jsonl", "[{\"messages\":[]}]\n", "data.jsonl:1: the file is one JSON array"},
		{"sharegpt no human", strings.Replace(dataset, "data.jsonl}", "data.jsonl, format: sharegpt}", 1), "data.jsonl", "{\"conversations\":[{\"from\":\"gpt\",\"value\":\"hi\"}]}\n", "data.jsonl:1: conversations has no human turn"},
		{"missing file", traceScenario, "", "", "source.trace: open "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := writeScenario(t, tc.yaml, tc.file, tc.data)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			_, err = NewPlan(s, 1)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want …%s…", err, tc.want)
			}
			// The position is the file's own path, as the user gave it.
			if tc.file != "" && !strings.Contains(err.Error(), filepath.Join(filepath.Dir(s.Source.Dataset+s.Source.Trace), tc.file)+":") {
				t.Errorf("%v does not name the file with its line", err)
			}
		})
	}
}

// TestSourceValidation: what the source block itself may not say.
func TestSourceValidation(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"mix and source", "name: x\ntargets: [{name: m, model: doubao-seed-2.0-mini}]\nsource: {trace: t.jsonl}\nmix: [{name: a, prompt_tokens: 100, output_tokens: 10}]\nload: {seed: 1, max_in_flight: 1}\n", "mix: goes with no source"},
		{"both files", "name: x\ntargets: [{name: m, model: doubao-seed-2.0-mini}]\nsource: {trace: t.jsonl, dataset: d.jsonl}\nload: {seed: 1, max_in_flight: 1, stages: [{kind: constant, rate: 1/s, duration: 1s}]}\n", "give dataset or trace, not both"},
		{"trace stage without trace", "name: x\ntargets: [{name: m, model: doubao-seed-2.0-mini}]\nsource: {dataset: d.jsonl}\nload: {seed: 1, max_in_flight: 1, stages: [{kind: trace}]}\n", "a trace stage needs source.trace"},
		{"wrong format", "name: x\ntargets: [{name: m, model: doubao-seed-2.0-mini}]\nsource: {trace: t.jsonl, format: sharegpt}\nload: {seed: 1, max_in_flight: 1}\n", `"sharegpt" is not a trace format`},
		{"dataset speed", "name: x\ntargets: [{name: m, model: doubao-seed-2.0-mini}]\nsource: {dataset: d.jsonl, speed: 2}\nload: {seed: 1, max_in_flight: 1, stages: [{kind: constant, rate: 1/s, duration: 1s}]}\n", "speed, max_gap and block_tokens are for a trace"},
		{"bad gap", "name: x\ntargets: [{name: m, model: doubao-seed-2.0-mini}]\nsource: {trace: t.jsonl, max_gap: soon}\nload: {seed: 1, max_in_flight: 1}\n", "source.max_gap"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want …%s…", err, tc.want)
			}
			if !errorLineAny.MatchString(err.Error()) {
				t.Errorf("%v is not located", err)
			}
		})
	}
}

// TestDatasetRows: OpenAI rows keep their messages and tools as they are;
// ShareGPT rows become the first human turn with the reply's length as the
// expected output; rows are drawn with the seed, the same on every build.
func TestDatasetRows(t *testing.T) {
	data := `{"messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hello there"}]}],"tools":[{"type":"function","function":{"name":"f"}}],"max_tokens":17}
{"messages":[{"role":"user","content":"a b c"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"call_1","content":"42"}]}
`
	yaml := `name: d
targets: [{name: mini, model: doubao-seed-2.0-mini}, {name: lite, model: doubao-seed-2.0-lite}]
source: {dataset: data.jsonl, output_tokens: 33}
load: {seed: 1, max_in_flight: 8, stages: [{kind: constant, rate: 10/s, duration: 2s}]}
`
	s, err := writeScenario(t, yaml, "data.jsonl", data)
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPlan(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for k := int64(0); k < 40; k += 2 {
		a, b := p.Source.Request(k), p.Source.Request(k+1)
		if a.Target == b.Target {
			t.Fatalf("pair %d: both to target %d", k/2, a.Target)
		}
		ba, bb := strings.Replace(string(a.Body), "doubao-seed-2.0-lite", "M", 1), strings.Replace(string(b.Body), "doubao-seed-2.0-lite", "M", 1)
		ba, bb = strings.Replace(ba, "doubao-seed-2.0-mini", "M", 1), strings.Replace(bb, "doubao-seed-2.0-mini", "M", 1)
		if ba != bb {
			t.Fatalf("pair %d: the targets got different prompts", k/2)
		}
		if !json.Valid(a.Body) {
			t.Fatalf("body %s", a.Body)
		}
		switch {
		case strings.Contains(ba, `"tools":[{"type":"function","function":{"name":"f"}}]`):
			seen[0] = true
			if a.MaxTokens != 17 || !strings.Contains(ba, `"text":"hello there"`) {
				t.Fatalf("row 0 as %s", ba)
			}
		case strings.Contains(ba, `"tool_call_id":"call_1"`):
			seen[1] = true
			if a.MaxTokens != 33 {
				t.Fatalf("row 1 max_tokens %d, want the source's output_tokens 33", a.MaxTokens)
			}
		default:
			t.Fatalf("unknown row %s", ba)
		}
	}
	if !seen[0] || !seen[1] {
		t.Fatalf("20 draws used rows %v", seen)
	}

	sg := `{"id":"a","conversations":[{"from":"system","value":"sys"},{"from":"human","value":"one two three four"},{"from":"gpt","value":"five six seven"},{"from":"human","value":"later"}]}` + "\n"
	s, err = writeScenario(t, strings.Replace(yaml, "output_tokens: 33", "format: sharegpt", 1), "data.jsonl", sg)
	if err != nil {
		t.Fatal(err)
	}
	p, err = NewPlan(s, 1)
	if err != nil {
		t.Fatal(err)
	}
	r := p.Source.Request(0)
	if !strings.Contains(string(r.Body), `"messages":[{"content":"sys","role":"system"},{"content":"one two three four","role":"user"}]`) ||
		r.MaxTokens != EstimateTokens("five six seven") {
		t.Fatalf("ShareGPT row as %s (max_tokens %d)", r.Body, r.MaxTokens)
	}
}

// TestTraceOverrides: --duration cuts a replay short; --rate is refused
// (a trace keeps its own times; source.speed warps them).
func TestTraceOverrides(t *testing.T) {
	s, err := Builtin("trace-replay")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(Overrides{Rate: "10/s"}); err == nil || !strings.Contains(err.Error(), "source.speed") {
		t.Fatalf("--rate on a trace: %v", err)
	}
	full, err := NewPlan(s, 16)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(Overrides{Duration: "5s"}); err != nil {
		t.Fatal(err)
	}
	cut, err := NewPlan(s, 16)
	if err != nil {
		t.Fatal(err)
	}
	nFull, _ := full.Planned(0)
	nCut, _ := cut.Planned(0)
	if cut.Stages[0].Duration != 5*time.Second || nCut == 0 || nCut >= nFull {
		t.Fatalf("cut to %s: %d of %d requests", cut.Stages[0].Duration, nCut, nFull)
	}
}
