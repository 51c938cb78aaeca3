package yamlbound

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
)

// Expanded refuses a parsed file whose nodes, with every alias
// replaced by what its anchor holds, number more than max: the count a
// decoder that expands aliases would visit. It takes time linear in the
// tree (each anchor is measured once) and reports the alias at which the
// count crossed max.
func Expanded(f *ast.File, max int) *Error {
	w := expander{max: max, anchors: map[string]int{}}
	for _, doc := range f.Docs {
		w.walk(doc)
	}
	return w.err
}

type expander struct {
	max     int
	total   int
	anchors map[string]int // anchor name → expanded size of its value
	err     *Error
}

func (w *expander) add(n ast.Node, k int) {
	if w.err != nil {
		return
	}
	w.total += k
	if w.total > w.max {
		e := &Error{Msg: fmt.Sprintf("more than %d YAML nodes once aliases are expanded (the cap keeps decoding within a small, fixed memory bound)", w.max)}
		if t := n.GetToken(); t != nil && t.Position != nil {
			e.Line, e.Col = t.Position.Line, t.Position.Column
		}
		w.err = e
	}
}

func (w *expander) walk(n ast.Node) {
	if n == nil || w.err != nil {
		return
	}
	w.add(n, 1)
	switch v := n.(type) {
	case *ast.DocumentNode:
		w.walk(v.Body)
	case *ast.MappingNode:
		for _, mv := range v.Values {
			w.walk(mv)
		}
	case *ast.MappingValueNode:
		w.walk(v.Key)
		w.walk(v.Value)
	case *ast.MappingKeyNode:
		w.walk(v.Value)
	case *ast.SequenceNode:
		for _, e := range v.Values {
			w.walk(e)
		}
	case *ast.TagNode:
		w.walk(v.Value)
	case *ast.AnchorNode:
		before := w.total
		w.walk(v.Value)
		w.anchors[name(v.Name)] = w.total - before
	case *ast.AliasNode:
		w.add(n, w.anchors[name(v.Value)])
	}
}

func name(n ast.Node) string {
	if n == nil {
		return ""
	}
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	return n.String()
}
