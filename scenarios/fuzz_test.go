package scenarios

import (
	"encoding/json"
	"errors"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// errorLine is the shape of every decoding or validation message:
// file[:line:col]: [path: ]message.
var errorLine = regexp.MustCompile(`^f\.yaml(:\d+:\d+)?: .+`)

// errorLineAny is a located message from any file.
var errorLineAny = regexp.MustCompile(`^[^:\n]+:\d+:\d+: .+`)

// FuzzParse: no input makes the decoder panic or hang, or allocate more
// than parseBound whatever its size (inputs over the size cap included);
// every error line is located; anything accepted round-trips through JSON
// and plans, and its first request is valid JSON.
func FuzzParse(f *testing.F) {
	for _, name := range Builtins() {
		b, _ := BuiltinSource(name)
		f.Add(b)
	}
	f.Add([]byte(base))
	f.Add([]byte(sessionBase))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("<<: {name: x}\n"))
	f.Add([]byte("name: ${X:-y}\n"))
	f.Add([]byte("mix: [{prompt_tokens: {dist: lognormal, mean: 1e308, sigma: 40}}]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		var s *Scenario
		var err error
		if n := allocated(func() { s, err = ParseWith("f.yaml", src, Options{Env: testEnv}) }); n > parseBound {
			t.Fatalf("%d bytes of input allocated %d bytes, over the %d bound", len(src), n, parseBound)
		}
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !errorLine.MatchString(line) {
					t.Fatalf("unlocated error line %q", line)
				}
			}
			return
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("accepted scenario does not marshal: %v", err)
		}
		back, err := FromJSON(b, nil)
		if err != nil {
			t.Fatalf("accepted scenario fails after a JSON round trip: %v\n%s", err, b)
		}
		p, err := NewPlan(back, back.Load.Seed)
		if errors.Is(err, fs.ErrNotExist) && !back.Source.IsZero() {
			return // a source file that is not there is the file's problem, not the decoder's
		}
		if err != nil {
			t.Fatalf("accepted scenario does not plan: %v", err)
		}
		if r := p.Source.Request(0); !json.Valid(r.Body) {
			t.Fatalf("request 0 is not JSON: %.200s", r.Body)
		}
	})
}
