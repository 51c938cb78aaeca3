package yamlbound

import (
	"strings"
	"testing"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// collectionDepth is the nesting of mappings and sequences in n, as the
// parser built it.
func collectionDepth(n ast.Node) int {
	switch v := n.(type) {
	case *ast.DocumentNode:
		return collectionDepth(v.Body)
	case *ast.MappingNode:
		d := 0
		for _, mv := range v.Values {
			d = max(d, collectionDepth(mv.Value))
		}
		return 1 + d
	case *ast.MappingValueNode:
		return 1 + collectionDepth(v.Value)
	case *ast.SequenceNode:
		d := 0
		for _, e := range v.Values {
			d = max(d, collectionDepth(e))
		}
		return 1 + d
	case *ast.AnchorNode:
		return collectionDepth(v.Value)
	case *ast.TagNode:
		return collectionDepth(v.Value)
	}
	return 0
}

// FuzzCheck: Check never panics, and what it accepts the parser builds no
// deeper than MaxDepth (it may refuse a document that is in fact a level
// shallower, never accept a deeper one).
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"a: [b, {c: d}]\n", "- - - x\n", "a: |\n  [[[\nb: 1\n", "a: \"[[\\\"[\"\n", "x: &a [1]\ny: *a\n",
		"a:\n  - b: [1]\n    c: {d: e}\n", "? [a]\n: b\n", "--- [a]\n...\n", "a: 'it''s [' \n",
	} {
		f.Add([]byte(s))
	}
	lim := Limits{MaxBytes: 1 << 12, MaxDepth: 6, MaxNodes: 200}
	f.Fuzz(func(t *testing.T, src []byte) {
		err := Check(src, lim)
		if err != nil {
			if err.Line < 1 || err.Col < 1 || strings.Contains(err.Msg, "\n") {
				t.Fatalf("badly placed refusal %+v", err)
			}
			return
		}
		file, perr := parser.ParseBytes(src, 0)
		if perr != nil {
			return
		}
		for _, doc := range file.Docs {
			if d := collectionDepth(doc); d > lim.MaxDepth {
				t.Fatalf("accepted, but the parser nests %d deep (limit %d)", d, lim.MaxDepth)
			}
		}
	})
}

func TestExpanded(t *testing.T) {
	laughs := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 'b'; i <= 'i'; i++ {
		laughs += string(i) + ": &" + string(i) + " [" + strings.Repeat("*"+string(i-1)+", ", 9) + "*" + string(i-1) + "]\n"
	}
	file, err := parser.ParseBytes([]byte(laughs), 0)
	if err != nil {
		t.Fatal(err)
	}
	e := Expanded(file, 100_000)
	// level e holds 10⁵ expanded x-es: the budget runs out inside it
	if e == nil || e.Line != 5 || !strings.Contains(e.Msg, "more than 100000 YAML nodes once aliases are expanded") {
		t.Fatalf("got %v", e)
	}
	if e := Expanded(file, 1<<40); e != nil {
		t.Fatalf("no cap: %v", e)
	}
}
