package runner

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestREADMEListsClassesAndReasoningFields: the README's failure-classes
// table has a row for every error class, and its metric definitions name
// every reasoning field the scanner reads.
func TestREADMEListsClassesAndReasoningFields(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	table := readme[strings.Index(readme, "### Failure classes"):]
	table = table[:strings.Index(table, "|\n\n")]
	n := 0
	for _, file := range []string{"result.go", "gateway.go"} {
		f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, classRow(t, table, &n))
	}
	if n < 24 {
		t.Fatalf("found %d classes in result.go and gateway.go", n)
	}
	metrics := readme[strings.Index(readme, "## Metric definitions"):]
	metrics = metrics[:strings.Index(metrics, "\n## ")]
	for _, f := range reasoningFields {
		if !strings.Contains(metrics, "`"+f+"`") {
			t.Errorf("the metric definitions do not name the reasoning field %q", f)
		}
	}
}

// classRow checks that the table names each Class* constant it visits.
func classRow(t *testing.T, table string, n *int) func(ast.Node) bool {
	return func(node ast.Node) bool {
		vs, ok := node.(*ast.ValueSpec)
		if !ok || !strings.HasPrefix(vs.Names[0].Name, "Class") {
			return true
		}
		class, _ := strconv.Unquote(vs.Values[0].(*ast.BasicLit).Value)
		*n++
		if !strings.Contains(table, "`"+class+"`") {
			t.Errorf("the README's failure-classes table has no row for %q", class)
		}
		return true
	}
}
