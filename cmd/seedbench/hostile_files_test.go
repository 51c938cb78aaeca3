package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestValidateHostileFiles: `seedbench scenarios validate` refuses a
// billion-laughs file, a 200 KB bracket file and a 50 MB file with exit 2
// and a file:line:col message, allocating less than 100 MiB for each (the
// allocation total bounds what the process can have held at once).
func TestValidateHostileFiles(t *testing.T) {
	dir := t.TempDir()
	laughs := "name: t\ntargets:\n  - name: a\n    model: doubao-seed-2.0-mini\n    extra_body:\n" +
		`      l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n"
	for i := 1; i < 9; i++ {
		laughs += fmt.Sprintf("      l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d,", i-1), 9), ","))
	}
	laughs += "mix: [{name: chat, prompt_tokens: 100, output_tokens: 10}]\nload: {stages: [{rate: 1/s, duration: 1s}]}\n"
	files := map[string]string{
		"laughs.yaml":   laughs,
		"brackets.yaml": strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000),
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = f.WriteString(laughs)
	if err := f.Truncate(50 << 20); err != nil { // sparse: reads as 50 MB
		t.Fatal(err)
	}
	f.Close()
	tests := []struct{ file, msg string }{
		{"laughs.yaml", `:10:\d+: more than 50000 YAML nodes once aliases are expanded`},
		{"brackets.yaml", `:1:64: nested more than 64 levels deep`},
		{"big.yaml", `:\d+:\d+: the file is 52428800 bytes \(50.0 MiB\), over the 1.0 MiB \(1048576 bytes\) cap`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p := filepath.Join(dir, tt.file)
			var errOut string
			var code int
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, errOut, code = seedbench(t, "scenarios", "validate", p)
			runtime.ReadMemStats(&after)
			n := after.TotalAlloc - before.TotalAlloc
			t.Logf("%.1f MiB allocated: %s", float64(n)/(1<<20), strings.TrimSpace(errOut))
			if code != 2 || !regexp.MustCompile(regexp.QuoteMeta(p)+tt.msg).MatchString(errOut) {
				t.Errorf("exit %d, stderr %q, want exit 2 and %s", code, errOut, tt.msg)
			}
			if n > 100<<20 {
				t.Errorf("allocated %d bytes, over 100 MiB", n)
			}
		})
	}
}
