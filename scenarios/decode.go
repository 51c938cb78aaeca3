package scenarios

import (
	"encoding"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
	"github.com/seedbench/seedbench/internal/yamlbound"
)

// The YAML library (goccy/go-yaml) parses the text into a syntax tree with a
// position on every node; decoder then fills Go values from that tree
// itself. Doing the typed step here, rather than through yaml.Unmarshal,
// is what lets every message carry the field path and the exact line and
// column, refuse 1.5 for an integer (the library would truncate it), expand
// ${ENV} inside a value without shifting any position, and report every
// problem at once instead of the first.

// pos is a place in the source file.
type pos struct{ line, col int }

// decoder turns one YAML document into Go values, collecting errors.
type decoder struct {
	file    string
	lookup  func(string) (string, bool) // environment for ${VAR}
	errs    ErrorList
	at      map[string]pos // field path → position of its value
	keyAt   map[string]pos // field path → position of its key
	anchors map[string]ast.Node
	depth   int
}

// nodeDecoder is implemented by types with a YAML form of their own (a
// distribution written as a bare number, the SLO block).
type nodeDecoder interface {
	decodeYAML(d *decoder, n ast.Node, path string)
}

// maxDepth bounds alias expansion: a billion-laughs document is refused
// rather than expanded.
const maxDepth = 64

func newDecoder(file string, lookup func(string) (string, bool)) *decoder {
	return &decoder{file: file, lookup: lookup, at: map[string]pos{}, keyAt: map[string]pos{}, anchors: map[string]ast.Node{}}
}

// parseDocument parses src and returns the body of its single document, or
// nil for an empty one. Input beyond yamlbound.Default (size, nesting,
// nodes, nodes with aliases expanded) is refused before the parser or the
// decoder can spend memory on it.
func (d *decoder) parseDocument(src []byte) ast.Node {
	if e := yamlbound.Check(src, yamlbound.Default); e != nil {
		d.errs = append(d.errs, &Error{File: d.file, Line: e.Line, Col: e.Col, Msg: e.Msg})
		return nil
	}
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			p := ye.GetToken().Position
			d.errs = append(d.errs, &Error{File: d.file, Line: p.Line, Col: p.Column, Msg: "invalid YAML: " + ye.GetMessage()})
		} else {
			d.errs = append(d.errs, &Error{File: d.file, Msg: "invalid YAML: " + err.Error()})
		}
		return nil
	}
	if e := yamlbound.Expanded(f, yamlbound.Default.MaxNodes); e != nil {
		d.errs = append(d.errs, &Error{File: d.file, Line: e.Line, Col: e.Col, Msg: e.Msg})
		return nil
	}
	var bodies []ast.Node
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			bodies = append(bodies, doc.Body)
		}
	}
	if len(bodies) > 1 {
		d.failAt(bodies[1], "", "a scenario file holds one YAML document (remove the second \"---\")")
	}
	if len(bodies) == 0 {
		return nil
	}
	return bodies[0]
}

// fail records a problem at path, located at the path's value, else its key,
// else the nearest enclosing field that has a place in the file.
func (d *decoder) fail(path, format string, a ...any) {
	p, ok := d.lookupPos(path)
	e := &Error{File: d.file, Path: path, Msg: fmt.Sprintf(format, a...)}
	if ok {
		e.Line, e.Col = p.line, p.col
	}
	d.errs = append(d.errs, e)
}

func (d *decoder) lookupPos(path string) (pos, bool) {
	for p := path; ; {
		if v, ok := d.at[p]; ok {
			return v, true
		}
		if v, ok := d.keyAt[p]; ok {
			return v, true
		}
		if p == "" {
			return pos{}, false
		}
		p = parentPath(p)
	}
}

// parentPath strips the last element: a.b[2] → a.b, a.b → a, a → "".
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// failAt records a problem at node n.
func (d *decoder) failAt(n ast.Node, path, format string, a ...any) {
	e := &Error{File: d.file, Path: path, Msg: fmt.Sprintf(format, a...)}
	if p := nodePos(n); p.line > 0 {
		e.Line, e.Col = p.line, p.col
	}
	d.errs = append(d.errs, e)
}

// failKey is fail located at the field's key rather than its value, for
// problems with the name itself.
func (d *decoder) failKey(path, format string, a ...any) {
	if p, ok := d.keyAt[path]; ok {
		d.errs = append(d.errs, &Error{File: d.file, Line: p.line, Col: p.col, Path: path, Msg: fmt.Sprintf(format, a...)})
		return
	}
	d.fail(path, format, a...)
}

// nodePos is where a node starts as a reader sees it: a block mapping at
// its first key (the library's token for it is the first ":").
func nodePos(n ast.Node) pos {
	switch v := n.(type) {
	case *ast.MappingNode:
		if !v.IsFlowStyle && len(v.Values) > 0 {
			return nodePos(v.Values[0])
		}
	case *ast.MappingValueNode:
		if v.Key != nil {
			return nodePos(v.Key)
		}
	}
	if t := n.GetToken(); t != nil {
		return pos{t.Position.Line, t.Position.Column}
	}
	return pos{}
}

// resolve looks through anchors, aliases and tags to the node that holds
// the value. It returns nil for an alias to an unknown anchor (reported).
func (d *decoder) resolve(n ast.Node, path string) ast.Node {
	for range maxDepth {
		switch v := n.(type) {
		case *ast.AnchorNode:
			d.anchors[anchorName(v.Name)] = v.Value
			n = v.Value
		case *ast.AliasNode:
			name := anchorName(v.Value)
			target, ok := d.anchors[name]
			if !ok {
				d.failAt(n, path, "alias *%s refers to no anchor defined above it", printableName(name))
				return nil
			}
			n = target
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
		if n == nil {
			return nil
		}
	}
	d.failAt(n, path, "aliases nest too deeply")
	return nil
}

// printableName is an anchor name fit for a one-line message: the YAML
// library can hand back a name with a line break in it (for "*>").
func printableName(name string) string {
	name = strings.TrimSpace(name)
	if strings.IndexFunc(name, func(r rune) bool { return !unicode.IsGraphic(r) || unicode.IsSpace(r) }) >= 0 {
		return strconv.Quote(name)
	}
	return name
}

func anchorName(n ast.Node) string {
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	if n == nil {
		return ""
	}
	return n.String()
}

// entry is one key: value of a mapping after merge keys are applied.
type entry struct {
	key   string
	keyN  ast.Node
	value ast.Node
}

// entries lists a mapping's pairs with "<<" merges expanded; an explicit
// key wins over a merged one. ok is false when n is not a mapping.
func (d *decoder) entries(n ast.Node, path string) ([]entry, bool) {
	var pairs []*ast.MappingValueNode
	switch m := n.(type) {
	case *ast.MappingNode:
		pairs = m.Values
	case *ast.MappingValueNode:
		pairs = []*ast.MappingValueNode{m}
	default:
		return nil, false
	}
	var merged, explicit []entry
	for _, p := range pairs {
		if p.Key != nil && p.Key.IsMergeKey() {
			src := d.resolve(p.Value, path)
			var srcs []ast.Node
			if seq, ok := src.(*ast.SequenceNode); ok {
				for _, s := range seq.Values {
					srcs = append(srcs, d.resolve(s, path))
				}
			} else {
				srcs = []ast.Node{src}
			}
			for _, s := range srcs {
				if s == nil {
					continue
				}
				es, ok := d.entries(s, path)
				if !ok {
					d.failAt(p.Value, path, "<< merges a mapping, got %s", describe(s))
					continue
				}
				merged = append(merged, es...)
			}
			continue
		}
		explicit = append(explicit, entry{key: keyString(p.Key), keyN: p.Key, value: p.Value})
	}
	seen := map[string]bool{}
	for _, e := range explicit {
		seen[e.key] = true
	}
	out := make([]entry, 0, len(merged)+len(explicit))
	for _, e := range merged {
		if !seen[e.key] {
			seen[e.key] = true
			out = append(out, e)
		}
	}
	return append(out, explicit...), true
}

func keyString(k ast.MapKeyNode) string {
	switch v := k.(type) {
	case *ast.StringNode:
		return v.Value
	case *ast.MappingKeyNode:
		if v.Value != nil {
			return v.Value.String()
		}
	}
	if k == nil {
		return ""
	}
	return k.String()
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// describe names what a node holds, for "want X, got Y" messages.
func describe(n ast.Node) string {
	switch v := n.(type) {
	case nil, *ast.NullNode:
		return "nothing"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode:
		return strconv.Quote(v.Value)
	case *ast.LiteralNode:
		return "a block of text"
	case *ast.BoolNode:
		return strconv.FormatBool(v.Value)
	}
	if t := n.GetToken(); t != nil {
		return t.Value
	}
	return n.Type().String()
}

// scalar returns the text of a scalar node with ${ENV} expanded, and
// whether it was quoted. ok is false for non-scalars and for failed
// expansion (reported).
func (d *decoder) scalar(n ast.Node, path string) (text string, quoted, ok bool) {
	var raw string
	switch v := n.(type) {
	case *ast.StringNode:
		raw = v.Value
		quoted = v.Token != nil && (v.Token.Type == token.DoubleQuoteType || v.Token.Type == token.SingleQuoteType)
	case *ast.LiteralNode:
		raw, quoted = v.Value.Value, true
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		raw = n.GetToken().Value
	case *ast.NullNode:
		return "", false, true
	default:
		return "", false, false
	}
	s, err := expandEnv(raw, d.lookup)
	if err != nil {
		d.failAt(n, path, "%v", err)
		return "", quoted, false
	}
	return s, quoted, true
}

// decode fills v (addressable) from node n; path names n for messages.
func (d *decoder) decode(n ast.Node, v reflect.Value, path string) {
	if n == nil {
		return
	}
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		d.failAt(n, path, "nested too deeply")
		return
	}
	if _, isAlias := n.(*ast.AliasNode); !isAlias {
		d.at[path] = nodePos(n)
	}
	if n = d.resolve(n, path); n == nil {
		return
	}
	if v.CanAddr() {
		switch x := v.Addr().Interface().(type) {
		case nodeDecoder:
			x.decodeYAML(d, n, path)
			return
		case encoding.TextUnmarshaler:
			d.decodeText(n, x, path)
			return
		}
	}
	switch v.Kind() {
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if _, isNull := n.(*ast.NullNode); isNull {
			return
		}
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			d.failAt(n, path, "want a list, got %s", describe(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(seq.Values), len(seq.Values))
		for i, e := range seq.Values {
			d.decode(e, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
		v.Set(s)
	case reflect.Map:
		if _, isNull := n.(*ast.NullNode); isNull {
			return
		}
		es, ok := d.entries(n, path)
		if !ok {
			d.failAt(n, path, "want a mapping, got %s", describe(n))
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(es))
		for _, e := range es {
			p := joinPath(path, e.key)
			d.keyAt[p] = nodePos(e.keyN)
			ev := reflect.New(v.Type().Elem()).Elem()
			d.decode(e.value, ev, p)
			m.SetMapIndex(reflect.ValueOf(e.key).Convert(v.Type().Key()), ev)
		}
		v.Set(m)
	case reflect.Interface:
		if x, ok := d.generic(n, path); ok && x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		d.decodeScalar(n, v, path)
	}
}

func (d *decoder) decodeStruct(n ast.Node, v reflect.Value, path string) {
	if _, isNull := n.(*ast.NullNode); isNull {
		return
	}
	es, ok := d.entries(n, path)
	if !ok {
		d.failAt(n, path, "want a mapping, got %s", describe(n))
		return
	}
	fields := structFields(v.Type())
	for _, e := range es {
		p := joinPath(path, e.key)
		i, ok := fields[e.key]
		if !ok {
			d.keyAt[p] = nodePos(e.keyN)
			d.failAt(e.keyN, p, "unknown field%s", suggest(e.key, fieldNames(v.Type())))
			continue
		}
		d.keyAt[p] = nodePos(e.keyN)
		d.decode(e.value, v.Field(i), p)
	}
}

// structFields maps yaml names to field indexes.
func structFields(t reflect.Type) map[string]int {
	m := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name := yamlName(f)
		if name != "" {
			m[name] = i
		}
	}
	return m
}

func fieldNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if n := yamlName(t.Field(i)); n != "" {
			out = append(out, n)
		}
	}
	return out
}

func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if tag == "-" {
		return ""
	}
	if tag == "" {
		return strings.ToLower(f.Name)
	}
	return tag
}

// scalarText is the text of a scalar node for a value of kind k, ok false
// for a null (the zero value stays: validation says if it was needed) and
// for what is not a scalar (reported as not a k).
func (d *decoder) scalarText(n ast.Node, k reflect.Kind, path string) (text string, quoted, ok bool) {
	text, quoted, ok = d.scalar(n, path)
	if !ok {
		if _, isScalar := n.(ast.ScalarNode); !isScalar {
			d.failAt(n, path, "want %s, got %s", kindWord(k), describe(n))
		}
		return "", false, false
	}
	if _, isNull := n.(*ast.NullNode); isNull {
		return "", false, false
	}
	return text, quoted, true
}

// decodeText fills a value with a text form of its own (a Rate, Duration
// or Ratio) from a scalar, as a string field is filled.
func (d *decoder) decodeText(n ast.Node, v encoding.TextUnmarshaler, path string) {
	if text, _, ok := d.scalarText(n, reflect.String, path); ok {
		if err := v.UnmarshalText([]byte(text)); err != nil {
			d.failAt(n, path, "%v", err)
		}
	}
}

func (d *decoder) decodeScalar(n ast.Node, v reflect.Value, path string) {
	text, quoted, ok := d.scalarText(n, v.Kind(), path)
	if !ok {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
	case reflect.Int, reflect.Int64, reflect.Int32:
		if quoted {
			d.failAt(n, path, "%q is quoted text, want %s (write it without quotes)", text, kindWord(v.Kind()))
			return
		}
		i, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(text), "_", ""), 10, 64)
		if err != nil {
			if f, ferr := strconv.ParseFloat(text, 64); ferr == nil && !math.IsInf(f, 0) && !math.IsNaN(f) && f != math.Trunc(f) {
				d.failAt(n, path, "%s is not a whole number (want %s)", text, kindWord(v.Kind()))
			} else if ferr == nil {
				d.failAt(n, path, "%s is too large", text)
			} else {
				d.failAt(n, path, "%q is not a whole number (want %s)", text, kindWord(v.Kind()))
			}
			return
		}
		if v.OverflowInt(i) {
			d.failAt(n, path, "%s is too large", text)
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		if quoted {
			d.failAt(n, path, "%q is quoted text, want a number (write it without quotes)", text)
			return
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(text), "_", ""), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.failAt(n, path, "%q is not a number (want a number like 1 or 0.5)", text)
			return
		}
		v.SetFloat(f)
	case reflect.Bool:
		switch strings.TrimSpace(text) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			d.failAt(n, path, "%q is not true or false", text)
		}
	default:
		d.failAt(n, path, "cannot hold a %s here", v.Kind())
	}
}

func kindWord(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "text"
	case reflect.Int, reflect.Int64, reflect.Int32:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list"
	}
	return "a mapping"
}

// generic converts a node to plain Go values (map[string]any, []any,
// string, int64, float64, bool, nil) for free-form fields such as
// extra_body. Strings have ${ENV} expanded.
func (d *decoder) generic(n ast.Node, path string) (any, bool) {
	d.depth++
	defer func() { d.depth-- }()
	if d.depth > maxDepth {
		d.failAt(n, path, "nested too deeply")
		return nil, false
	}
	if n = d.resolve(n, path); n == nil {
		return nil, false
	}
	switch v := n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		es, _ := d.entries(v, path)
		m := make(map[string]any, len(es))
		for _, e := range es {
			p := joinPath(path, e.key)
			d.keyAt[p] = nodePos(e.keyN)
			d.at[p] = nodePos(e.value)
			x, ok := d.generic(e.value, p)
			if !ok {
				return nil, false
			}
			m[e.key] = x
		}
		return m, true
	case *ast.SequenceNode:
		s := make([]any, len(v.Values))
		for i, e := range v.Values {
			x, ok := d.generic(e, fmt.Sprintf("%s[%d]", path, i))
			if !ok {
				return nil, false
			}
			s[i] = x
		}
		return s, true
	case *ast.NullNode:
		return nil, true
	case *ast.BoolNode:
		return v.Value, true
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			return x, true
		case uint64:
			if x <= math.MaxInt64 {
				return int64(x), true
			}
			return float64(x), true
		}
	case *ast.FloatNode:
		return v.Value, true
	case *ast.StringNode, *ast.LiteralNode:
		s, _, ok := d.scalar(v, path)
		return s, ok
	}
	d.failAt(n, path, "unsupported value %s", describe(n))
	return nil, false
}

// present reports whether path was written in the file (so a default may
// apply only when it was not).
func (d *decoder) present(path string) bool {
	_, ok := d.keyAt[path]
	return ok
}

// reflectValue is the addressable value behind pointer p.
func reflectValue(p any) reflect.Value { return reflect.ValueOf(p).Elem() }
