package seedbench_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The arrows of ARCHITECTURE.md, checked against what the packages really
// import (go list's Imports and Deps, the transitive -deps set). A failure
// here is a design change: make it in ARCHITECTURE.md first, then here.

const module = "github.com/seedbench/seedbench"

// leaves may import no project package, not even through another package,
// but the internal/ ones that are leaves themselves (input caps): runner
// and mockserver are usable (and testable) on their own.
var leaves = []string{"runner", "mockserver", "report/plot", "internal/yamlbound"}

// mayImport lists, for the rooms below cmd, the project packages each may
// import directly. A room not listed here may import any project package
// but cmd; scenarios, report and selfcheck are pinned because they are
// the ones an easy shortcut would bend.
var mayImport = map[string][]string{
	"scenarios": {"runner", "internal/yamlbound"},
	"report":    {"runner", "scenarios", "report/plot"},
	"selfcheck": {"runner", "mockserver"},
	// The mock's test server, for other rooms' tests: the mock and nothing else.
	"mockserver/mocktest": {"mockserver"},
}

// heavy libraries and the one room each may be imported from.
var heavy = map[string]string{
	"gonum.org/v1/plot":        "report/plot",
	"github.com/urfave/cli/v2": "cmd/seedbench",
}

type pkg struct {
	path    string // relative to the module: "runner", "cmd/seedbench"
	imports []string
	deps    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	touchSources(t)
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}|{{join .Imports \",\"}}|{{join .Deps \",\"}}", module+"/...").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	for line := range strings.Lines(strings.TrimSpace(string(out))) {
		f := strings.Split(strings.TrimSpace(line), "|")
		pkgs = append(pkgs, pkg{rel(f[0]), strings.Split(f[1], ","), strings.Split(f[2], ",")})
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found %d packages: %s", len(pkgs), out)
	}
	return pkgs
}

// touchSources opens every Go file of the module. go test caches a passing
// result until a file the test opened changes; the imports come from a go
// list subprocess, which the cache does not see, so without this an edit
// that breaks an arrow would be answered from the cache.
func touchSources(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			return f.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rel is a module import path relative to the module ("" for others).
func rel(p string) string {
	if p == module {
		return "."
	}
	r, ok := strings.CutPrefix(p, module+"/")
	if !ok {
		return ""
	}
	return r
}

func ours(paths []string) []string {
	var out []string
	for _, p := range paths {
		if r := rel(p); r != "" {
			out = append(out, r)
		}
	}
	return out
}

func TestArchitecture(t *testing.T) {
	pkgs := listPackages(t)
	for _, p := range pkgs {
		if slices.Contains(leaves, p.path) {
			got := slices.DeleteFunc(ours(p.deps), func(d string) bool {
				return strings.HasPrefix(d, "internal/") && slices.Contains(leaves, d)
			})
			if len(got) > 0 {
				t.Errorf("%s is a leaf but imports %v (directly or not)", p.path, got)
			}
		}
		if allowed, ok := mayImport[p.path]; ok {
			for _, d := range ours(p.imports) {
				if !slices.Contains(allowed, d) {
					t.Errorf("%s imports %s; it may import only %v", p.path, d, allowed)
				}
			}
		}
		for _, d := range ours(p.imports) {
			if strings.HasPrefix(d, "cmd/") {
				t.Errorf("%s imports the command %s: commands are the top, nothing imports them", p.path, d)
			}
		}
		for lib, room := range heavy {
			for _, d := range p.imports {
				if (d == lib || strings.HasPrefix(d, lib+"/")) && p.path != room && !strings.HasPrefix(p.path, room+"/") {
					t.Errorf("%s imports %s, which only %s may import", p.path, d, room)
				}
			}
		}
	}
}

// rel and ours must see the module's packages, or the test checks nothing.
func TestArchitectureSeesTheRooms(t *testing.T) {
	pkgs := listPackages(t)
	var names []string
	for _, p := range pkgs {
		names = append(names, p.path)
	}
	for _, want := range append(slices.Clone(leaves), "scenarios", "report", "cmd/seedbench") {
		if !slices.Contains(names, want) {
			t.Errorf("go list does not show %s (got %v)", want, names)
		}
	}
	for _, p := range pkgs {
		if p.path == "report" && !slices.Contains(ours(p.imports), "runner") {
			t.Errorf("report's imports %v lack runner: the import lists are not read", p.imports)
		}
	}
}
