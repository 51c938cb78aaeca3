package scenarios

import (
	"errors"
	"os"
	"strings"

	"github.com/seedbench/seedbench/internal/yamlbound"
)

// Open reads a scenario by built-in name ("quickstart") or file path. An
// argument that ends in .yaml or .yml, contains a path separator, or names
// an existing file is a path; anything else is a built-in name.
func Open(nameOrPath string, o Options) (*Scenario, error) {
	if isPath(nameOrPath) {
		b, err := ReadFile(nameOrPath)
		if err != nil {
			return nil, err
		}
		return ParseWith(nameOrPath, b, o)
	}
	return BuiltinWith(nameOrPath, o)
}

// ReadFile reads a scenario or catalog file, refusing one over the size cap
// (yamlbound.Default.MaxBytes) without reading more than the cap: the
// error names the file's size and the cap, at the line and column where the
// cap falls.
func ReadFile(path string) ([]byte, error) {
	b, err := yamlbound.ReadFile(path, yamlbound.Default.MaxBytes)
	var e *yamlbound.Error
	if errors.As(err, &e) {
		return nil, ErrorList{{File: path, Line: e.Line, Col: e.Col, Msg: e.Msg}}
	}
	return b, err
}

func isPath(s string) bool {
	if strings.HasSuffix(s, ".yaml") || strings.HasSuffix(s, ".yml") || strings.ContainsAny(s, `/\`) {
		return true
	}
	_, err := os.Stat(s)
	return err == nil
}
