package scenarios

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

//go:embed builtin/*.yaml builtin/data
var builtinFS embed.FS

// Options change how a scenario is read.
type Options struct {
	// Env looks up ${VAR}; nil means the process environment.
	Env func(string) (string, bool)
	// Catalog gives model limits and tiers; nil means DefaultCatalog.
	Catalog *Catalog
}

// Parse decodes, completes and validates a scenario from YAML. file names
// the source in errors ("scenario.yaml:14:7: load.stages[0].rate: …"). A
// non-nil error is an ErrorList of every problem found.
func Parse(file string, src []byte) (*Scenario, error) {
	return ParseWith(file, src, Options{})
}

// ParseWith is Parse with options.
func ParseWith(file string, src []byte, o Options) (*Scenario, error) {
	if o.Env == nil {
		o.Env = os.LookupEnv
	}
	if o.Catalog == nil {
		o.Catalog = DefaultCatalog()
	}
	d := newDecoder(file, o.Env)
	s := &Scenario{catalog: o.Catalog}
	n := d.parseDocument(src)
	if n == nil && len(d.errs) == 0 {
		d.fail("", "the file is empty (a scenario needs name, targets, mix and load)")
	}
	if n == nil {
		return nil, d.errs.err()
	}
	d.decode(n, reflectValue(s), "")
	// A field that did not decode (a misspelt name, a value of the wrong
	// type) does not stop validation, so the user fixes every problem in
	// one pass. What validation would say about a field that failed to
	// decode only repeats the decoder, so that is left out.
	decoded := len(d.errs)
	s.applyDefaults(d)
	if dir := filepath.Dir(file); file != "" && dir != "." {
		s.Source.resolve(dir)
	}
	s.validate(d, o.Catalog)
	d.errs = d.errs.beside(decoded)
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	// Sweeps expand once every field was checked at its place in the file;
	// the variants are then validated as the targets they are.
	swept := s.expandSweeps(d)
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	if swept {
		s.Warnings = nil
		s.validate(d, o.Catalog)
		if err := d.errs.err(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// FromJSON reads a scenario as a results file's header carries it
// (resolved_scenario) and validates it against cat (nil: DefaultCatalog).
func FromJSON(b []byte, cat *Catalog) (*Scenario, error) {
	if cat == nil {
		cat = DefaultCatalog()
	}
	s := &Scenario{catalog: cat}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("resolved scenario: %w", err)
	}
	d := newDecoder("resolved scenario", nil)
	s.applyDefaults(nil)
	s.validate(d, cat)
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	return s, nil
}

// Builtins lists the names of the embedded scenarios, sorted.
func Builtins() []string {
	entries, _ := fs.Glob(builtinFS, "builtin/*.yaml")
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = strings.TrimSuffix(path.Base(e), ".yaml")
	}
	slices.Sort(names)
	return names
}

// BuiltinSource is the YAML text of an embedded scenario (to copy and edit).
func BuiltinSource(name string) ([]byte, error) {
	b, err := builtinFS.ReadFile("builtin/" + name + ".yaml")
	if err != nil || strings.ContainsAny(name, "/\\") {
		return nil, noBuiltin(name)
	}
	return b, nil
}

// noBuiltin says name is not a built-in scenario, with the one it is
// closest to or else the list.
func noBuiltin(name string) error {
	if near, ok := Nearest(name, Builtins()); ok {
		return fmt.Errorf("no built-in scenario %q (did you mean %q?)", name, near)
	}
	return fmt.Errorf("no built-in scenario %q (built-in: %s)", name, strings.Join(Builtins(), ", "))
}

// Builtin returns the embedded scenario called name.
func Builtin(name string) (*Scenario, error) {
	return BuiltinWith(name, Options{})
}

// BuiltinWith is Builtin with options.
func BuiltinWith(name string, o Options) (*Scenario, error) {
	b, err := BuiltinSource(name)
	if err != nil {
		return nil, err
	}
	s, err := ParseWith(name+".yaml", b, o)
	if s != nil {
		s.Source.resolve(builtinPrefix)
	}
	return s, err
}

// Catalog returns the catalog s was validated against.
func (s *Scenario) Catalog() *Catalog {
	if s.catalog == nil {
		s.catalog = DefaultCatalog()
	}
	return s.catalog
}

// SetCatalog re-validates s against cat and keeps cat for its plan.
func (s *Scenario) SetCatalog(cat *Catalog) error {
	old := s.catalog
	s.catalog = cat
	if err := s.Check(); err != nil {
		s.catalog = old
		return err
	}
	return nil
}

// Check validates s as it is now (after changes made in code).
func (s *Scenario) Check() error {
	d := newDecoder("", nil)
	s.Warnings = nil
	s.validate(d, s.Catalog())
	return d.errs.err()
}
