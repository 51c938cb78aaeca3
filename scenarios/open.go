package scenarios

import (
	"os"
	"strings"
)

// Open reads a scenario by built-in name ("quickstart") or file path. An
// argument that ends in .yaml or .yml, contains a path separator, or names
// an existing file is a path; anything else is a built-in name.
func Open(nameOrPath string, o Options) (*Scenario, error) {
	if isPath(nameOrPath) {
		b, err := os.ReadFile(nameOrPath)
		if err != nil {
			return nil, err
		}
		return ParseWith(nameOrPath, b, o)
	}
	return BuiltinWith(nameOrPath, o)
}

func isPath(s string) bool {
	if strings.HasSuffix(s, ".yaml") || strings.HasSuffix(s, ".yml") || strings.ContainsAny(s, `/\`) {
		return true
	}
	_, err := os.Stat(s)
	return err == nil
}
