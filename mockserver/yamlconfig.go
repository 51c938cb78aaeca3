package mockserver

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
	"github.com/seedbench/seedbench/internal/yamlbound"
)

// fileConfig is the top level of a YAML config file. Absent fields keep
// DefaultConfig's values.
type fileConfig struct {
	Seed         *uint64  `yaml:"seed"`
	TimeScale    *float64 `yaml:"time_scale"`
	MaxBodyBytes *int64   `yaml:"max_body_bytes"`
	Truth        *bool    `yaml:"truth"`
	Admin        *bool    `yaml:"admin"`
	// Flavor and Endpoints: see Config.
	Flavor    *string           `yaml:"flavor"`
	Endpoints map[string]string `yaml:"endpoints"`
	// OnlyListed serves only the models the file lists; otherwise the
	// built-in models stay alongside them.
	OnlyListed bool `yaml:"only_listed"`
	// Models is decoded node by node (see LoadConfig).
	Models any `yaml:"models"`
}

// profileFile is a Profile in YAML with the name of the profile it starts
// from.
type profileFile struct {
	// Base names the profile this one starts from; by default the built-in
	// profile of the same name, or nothing for a new name.
	Base    string `yaml:"base"`
	Profile `yaml:",inline"`
}

// LoadConfigFile reads a YAML config file; see LoadConfig.
func LoadConfigFile(path string) (Config, error) {
	data, err := yamlbound.ReadFile(path, yamlbound.Default.MaxBytes)
	var be *yamlbound.Error
	if errors.As(err, &be) {
		return Config{}, fmt.Errorf("%s:%v", path, be)
	}
	if err != nil {
		return Config{}, err
	}
	return LoadConfig(path, data)
}

// LoadConfig decodes a YAML config on top of DefaultConfig. Each entry
// under models starts from the built-in profile of the same name (or the
// one its base: names) and overrides only the fields it sets; unknown fields
// are errors. Every error names the file, line and column and the field:
//
//	mock.yaml:7:17: models.doubao-seed-2.0-pro.itl_spread: 9 must be in 0..3
//
// name is only used in error messages.
func LoadConfig(name string, data []byte) (Config, error) {
	cfg := DefaultConfig()
	f, err := parseBounded(name, data, yamlbound.Default)
	if err != nil {
		return Config{}, err
	}
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		return Config{}, fmt.Errorf("%s: want exactly one YAML document with a mapping at the top", name)
	}
	root := f.Docs[0].Body
	if err := checkDurations(name, root, ""); err != nil {
		return Config{}, err
	}
	var fc fileConfig
	if err := yaml.NodeToValue(root, &fc, yaml.DisallowUnknownField()); err != nil {
		return Config{}, yamlError(name, err)
	}
	if fc.Seed != nil {
		cfg.Seed = *fc.Seed
	}
	if fc.TimeScale != nil {
		cfg.TimeScale = *fc.TimeScale
	}
	if fc.MaxBodyBytes != nil {
		cfg.MaxBodyBytes = *fc.MaxBodyBytes
	}
	if fc.Truth != nil {
		cfg.Truth = *fc.Truth
	}
	if fc.Admin != nil {
		cfg.Admin = *fc.Admin
	}
	if fc.Flavor != nil {
		cfg.Flavor = *fc.Flavor
	}
	if fc.Endpoints != nil {
		cfg.Endpoints = fc.Endpoints
	}
	builtin := DefaultProfiles()
	if fc.OnlyListed {
		cfg.Models = map[string]Profile{}
	}
	if models := mappingValue(root, "models"); models != nil {
		mn, ok := models.(*ast.MappingNode)
		if !ok {
			return Config{}, posError(name, models.GetToken(), "models", "must be a mapping of model id to profile")
		}
		for _, mv := range mn.Values {
			id := mv.Key.String()
			var pf profileFile
			base := id
			if b := mappingValue(mv.Value, "base"); b != nil {
				base = strings.Trim(b.String(), `"'`)
			}
			if p, ok := builtin[base]; ok {
				pf.Profile = p
			} else if base != id {
				return Config{}, posError(name, mv.Key.GetToken(), "models."+id+".base", fmt.Sprintf("%q is not a built-in profile (%s)", base, strings.Join(sortedKeys(builtin), ", ")))
			}
			if err := yaml.NodeToValue(mv.Value, &pf, yaml.DisallowUnknownField()); err != nil {
				return Config{}, yamlError(name, err)
			}
			cfg.Models[id] = pf.Profile
		}
	}
	// Point each validation error at the offending line.
	var errs []error
	for _, fe := range cfg.problems() {
		errs = append(errs, posError(name, locate(root, fe.path), fe.path, fe.msg))
	}
	if len(errs) > 0 {
		return Config{}, errors.Join(errs...)
	}
	return cfg, nil
}

// parseBounded parses YAML within limits (size, nesting and nodes before
// the parser sees it, nodes with aliases expanded after): the decoder
// expands aliases without a limit of its own.
func parseBounded(name string, data []byte, l yamlbound.Limits) (*ast.File, error) {
	if e := yamlbound.Check(data, l); e != nil {
		return nil, fmt.Errorf("%s:%v", name, e)
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlError(name, err)
	}
	if e := yamlbound.Expanded(f, l.MaxNodes); e != nil {
		return nil, fmt.Errorf("%s:%v", name, e)
	}
	return f, nil
}

// durationKeys are the fields decoded as time.Duration. go-yaml reports a
// bad duration string without its position, so LoadConfig checks them
// first to say where the mistake is.
var durationKeys = map[string]bool{
	"ttft_base": true, "prefill_per_token": true, "prefill_per_cached_token": true, "itl": true,
	"keep_alive": true, "slow_headers_for": true, "stall_for": true, "keep_alive_for": true, "keep_alive_every": true,
}

func checkDurations(name string, n ast.Node, path string) error {
	switch n := n.(type) {
	case *ast.MappingNode:
		for _, mv := range n.Values {
			if err := checkDurations(name, mv, path); err != nil {
				return err
			}
		}
	case *ast.MappingValueNode:
		k := n.Key.String()
		p := strings.TrimPrefix(path+"."+k, ".")
		if s, ok := n.Value.(*ast.StringNode); ok && durationKeys[k] {
			if _, err := time.ParseDuration(s.Value); err != nil {
				return posError(name, s.GetToken(), p, fmt.Sprintf("%q is not a duration (try \"250ms\" or \"2s\")", s.Value))
			}
		}
		return checkDurations(name, n.Value, p)
	}
	return nil
}

// mappingValue returns the value of key in a mapping node, or nil.
func mappingValue(n ast.Node, key string) ast.Node {
	mn, ok := n.(*ast.MappingNode)
	if !ok {
		if mv, ok := n.(*ast.MappingValueNode); ok {
			if mv.Key.String() == key {
				return mv.Value
			}
		}
		return nil
	}
	for _, mv := range mn.Values {
		if mv.Key.String() == key {
			return mv.Value
		}
	}
	return nil
}

// locate finds the token of the deepest node on a dotted path (model ids
// may contain dots, so each step tries the longest key that matches).
func locate(root ast.Node, path string) *token.Token {
	n := root
	best := root.GetToken()
	rest := path
	for rest != "" {
		mn, ok := n.(*ast.MappingNode)
		if !ok {
			break
		}
		found := false
		for _, mv := range mn.Values {
			k := mv.Key.String()
			if rest == k || strings.HasPrefix(rest, k+".") {
				n, best, rest, found = mv.Value, mv.Key.GetToken(), strings.TrimPrefix(strings.TrimPrefix(rest, k), "."), true
				break
			}
		}
		if !found {
			break
		}
	}
	return best
}

func posError(name string, tk *token.Token, path, msg string) error {
	if tk == nil {
		return fmt.Errorf("%s: %s: %s", name, path, msg)
	}
	return fmt.Errorf("%s:%d:%d: %s: %s", name, tk.Position.Line, tk.Position.Column, path, msg)
}

// yamlError turns a go-yaml error into "file:line:col: message".
func yamlError(name string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		tk := ye.GetToken()
		return fmt.Errorf("%s:%d:%d: %s", name, tk.Position.Line, tk.Position.Column, ye.GetMessage())
	}
	return fmt.Errorf("%s: %v", name, err)
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// MarshalConfig renders c as a YAML file that LoadConfig reads back to the
// same Config. The API key is left out: it never goes into a file.
func MarshalConfig(c Config) ([]byte, error) {
	out := struct {
		Seed         uint64             `yaml:"seed"`
		TimeScale    float64            `yaml:"time_scale"`
		MaxBodyBytes int64              `yaml:"max_body_bytes"`
		Truth        bool               `yaml:"truth"`
		Admin        bool               `yaml:"admin"`
		Flavor       string             `yaml:"flavor,omitempty"`
		Endpoints    map[string]string  `yaml:"endpoints,omitempty"`
		OnlyListed   bool               `yaml:"only_listed"`
		Models       map[string]Profile `yaml:"models"`
	}{c.Seed, c.TimeScale, c.MaxBodyBytes, c.Truth, c.Admin, c.Flavor, c.Endpoints, true, c.Models}
	return yaml.Marshal(out)
}
