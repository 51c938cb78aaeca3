package mockserver

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string // substring of the error
	}{
		// Syntax errors point at the line.
		{"syntax", "models:\n  x: [1, 2\n", "mock.yaml:2:"},
		// Unknown fields are refused, with their position.
		{"unknown top-level", "sed: 1\n", `mock.yaml:1:1: unknown field "sed"`},
		{"unknown profile field", "models:\n  doubao-seed-2.0-pro:\n    itll: 5ms\n", `mock.yaml:3:5: unknown field "itll"`},
		// Validation errors name the field and its line.
		{"bad spread", "models:\n  doubao-seed-2.0-pro:\n    itl_spread: 9\n", "mock.yaml:3:5: models.doubao-seed-2.0-pro.itl_spread: 9 must be in 0..3"},
		{"bad nested", "models:\n  doubao-seed-2.0-mini:\n    prefix_cache:\n      block_tokens: -1\n", "mock.yaml:4:7: models.doubao-seed-2.0-mini.prefix_cache.block_tokens"},
		{"fault sum", "models:\n  doubao-seed-2.0-mini:\n    faults: {http_500: 0.7, truncate: 0.7}\n", "mock.yaml:3:5: models.doubao-seed-2.0-mini.faults: the fault rates sum to 1.4"},
		{"bad duration", "models:\n  doubao-seed-2.0-mini:\n    faults:\n      stall_for: soon\n", `mock.yaml:4:18: models.doubao-seed-2.0-mini.faults.stall_for: "soon" is not a duration`},
		{"bad base", "models:\n  mine:\n    base: doubao-seed-9\n", `models.mine.base: "doubao-seed-9" is not a built-in profile`},
		{"negative scale", "time_scale: -2\n", "mock.yaml:1:1: time_scale: -2 must be a finite number"},
		{"wrong type", "seed: many\n", "mock.yaml:1:7:"},
		{"models not a map", "models: 3\n", "models"},
		{"empty models", "only_listed: true\n", "models: no models configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig("mock.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestLoadConfigOverlay(t *testing.T) {
	cfg, err := LoadConfig("mock.yaml", []byte(`
seed: 11
truth: true
only_listed: true
models:
  doubao-seed-2.0-mini:
    itl: 3ms
    faults: {stall: 0.1}
  mine:
    base: doubao-seed-2.0-pro
    rpm: 60
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Seed != 11 || !cfg.Truth || len(cfg.Models) != 2 {
		t.Fatalf("%+v", cfg)
	}
	mini, builtin := cfg.Models["doubao-seed-2.0-mini"], DefaultProfiles()["doubao-seed-2.0-mini"]
	if mini.ITL != 3*time.Millisecond || mini.TTFTBase != builtin.TTFTBase || mini.Faults.Stall != 0.1 {
		t.Errorf("mini overlay: %+v", mini)
	}
	if m := cfg.Models["mine"]; m.RPM != 60 || m.Thinking != "enabled" || m.ITL != DefaultProfiles()["doubao-seed-2.0-pro"].ITL {
		t.Errorf("mine from pro: %+v", m)
	}
}

// TestDefaultConfigYAML pins the default config rendered as YAML (it is the
// reference for users writing their own) and checks it reads back equal.
func TestDefaultConfigYAML(t *testing.T) {
	b, err := MarshalConfig(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "default_config.yaml")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(want) {
		t.Errorf("%s is stale (go test -run TestDefaultConfigYAML -update)", path)
	}
	back, err := LoadConfig(path, b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, DefaultConfig()) {
		t.Error("default config does not survive a YAML round trip")
	}
}

// FuzzLoadConfig: any input is either a valid Config or an error that
// names the file; never a panic, never an invalid Config.
func FuzzLoadConfig(f *testing.F) {
	f.Add("seed: 1\n")
	f.Add("models:\n  doubao-seed-2.0-pro:\n    itl: 5ms\n    faults: {http_429: 0.5}\n")
	f.Add("only_listed: true\nmodels:\n  x:\n    base: doubao-seed-2.0-mini\n")
	f.Add("models: [1]\n")
	f.Fuzz(func(t *testing.T, src string) {
		cfg, err := LoadConfig("f.yaml", []byte(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("LoadConfig returned an invalid config: %v", err)
		}
	})
}
