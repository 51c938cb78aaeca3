package yamlbound

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	small := Limits{MaxBytes: 1 << 10, MaxDepth: 4, MaxNodes: 40}
	tests := []struct {
		name string
		src  string
		want string // "" accepted, else "line:col: start of message"
	}{
		{"flat mapping", "a: 1\nb: [x, y]\n", ""},
		{"four levels", "a:\n  b:\n    c: [d]\n", ""},
		// the fifth level opens at the inner "["
		{"flow too deep", "a: [[[[x]]]]\n", "1:7: nested more than 4 levels"},
		{"block too deep", "a:\n b:\n  c:\n   d:\n    e: 1\n", "5:5: nested more than 4 levels"},
		// each "- " entry with its value on the same line nests one level
		{"compact entries", "- - - - - x\n", "1:9: nested more than 4 levels"},
		// brackets inside quotes, comments and block scalars are text
		{"quoted brackets", "a: \"[[[[[[[[\"\nb: '{{{{{{{{'\n", ""},
		{"comment brackets", "a: 1 # [[[[[[[[\n", ""},
		{"block scalar brackets", "a: |\n  [[[[[[[[\n  {{{{{{{{\nb: 1\n", ""},
		{"sequence block scalar", "- |\n [[[[[[[[\n- x\n", ""},
		// a plain scalar in block context may hold brackets
		{"plain brackets", "a: x [[[[[[[[\n", ""},
		// the block scalar ends where its indentation does
		{"after block scalar", "a: |\n  text\nb: [[[[[x]]]]]\n", "3:7: nested more than 4 levels"},
		{"escaped quote", `a: "\"[[[[[[[["` + "\n", ""},
		{"too many nodes", "a: [" + strings.Repeat("x,", 30) + "]\n", "1:42: more than 40 YAML nodes"},
		{"too large", strings.Repeat("a: 1\n", 300), "205:5: the file is 1500 bytes (1.5 KiB), over the 1.0 KiB (1024 bytes) cap"},
		{"raw brackets", "a: \"" + strings.Repeat("[", 65) + "\"\n", "1:69: more than 64 unclosed brackets"},
		{"documents", "--- [[x]]\n--- [[y]]\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check([]byte(tt.src), small)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q…", err, tt.want)
			}
		})
	}
}

// TestBuiltinShapes: ordinary documents stay far inside Default.
func TestDefaultAcceptsOrdinaryDocuments(t *testing.T) {
	src := "name: x\ntargets:\n  - name: a\n    model: m\n    extra_body: {thinking: {type: enabled}, tags: [a, b]}\n" +
		"mix:\n  - name: chat\n    prompt_tokens: {dist: lognormal, mean: 500, sigma: 0.5}\n" +
		"load:\n  stages:\n    - {duration: 30s, rate: 10/s}\n"
	if err := Check([]byte(src), Default); err != nil {
		t.Fatal(err)
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(p, []byte(strings.Repeat("ab\n", 50)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(p, 150); err != nil {
		t.Fatalf("150 bytes under a 150-byte cap: %v", err)
	}
	_, err := ReadFile(p, 100)
	// byte 100 is the second character of line 34
	want := "34:2: the file is 150 bytes (150 B), over the 100 B (100 bytes) cap"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v, want %q", err, want)
	}
}
