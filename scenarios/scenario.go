package scenarios

import (
	"embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// Scenario is what a user wants to test. (Minimal first cut; the full schema
// grows here.)
type Scenario struct {
	Name        string   `yaml:"name" json:"name"`
	Description string   `yaml:"description" json:"description"`
	Targets     []Target `yaml:"targets" json:"targets"`
	Mix         []Class  `yaml:"mix" json:"mix"`
	Load        Load     `yaml:"load" json:"load"`
}

// Target is one variant to send to.
type Target struct {
	Name      string `yaml:"name" json:"name"`
	Model     string `yaml:"model" json:"model"`
	BaseURL   string `yaml:"base_url" json:"base_url,omitempty"`
	APIKeyEnv string `yaml:"api_key_env" json:"api_key_env,omitempty"`
}

// Class is one weighted kind of request in the mix.
type Class struct {
	Name         string  `yaml:"name" json:"name"`
	Weight       float64 `yaml:"weight" json:"weight"`
	PromptTokens int     `yaml:"prompt_tokens" json:"prompt_tokens"`
	OutputTokens int     `yaml:"output_tokens" json:"output_tokens"`
}

// Load says how hard and how long.
type Load struct {
	Seed        int64   `yaml:"seed" json:"seed"`
	MaxInFlight int     `yaml:"max_in_flight" json:"max_in_flight"`
	Stages      []Stage `yaml:"stages" json:"stages"`
}

// Stage is one load phase.
type Stage struct {
	Kind     string `yaml:"kind" json:"kind"`
	Rate     string `yaml:"rate" json:"rate"`
	Duration string `yaml:"duration" json:"duration"`
}

//go:embed builtin/*.yaml
var builtinFS embed.FS

// Builtin returns the embedded scenario called name.
func Builtin(name string) (*Scenario, error) {
	b, err := builtinFS.ReadFile("builtin/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in scenario %q", name)
	}
	return Parse(name+".yaml", b)
}

// Parse decodes a scenario strictly.
func Parse(file string, b []byte) (*Scenario, error) {
	var s Scenario
	if err := yaml.UnmarshalWithOptions(b, &s, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("%s: %s", file, yaml.FormatError(err, false, false))
	}
	return &s, nil
}

// ParseRate reads "20/s", "1200/m" or "3/h" as requests per second.
func ParseRate(s string) (float64, error) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, fmt.Errorf("%q is not a rate (try \"20/s\")", s)
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a rate (try \"20/s\")", s)
	}
	switch strings.TrimSpace(unit) {
	case "s":
		return n, nil
	case "m":
		return n / 60, nil
	case "h":
		return n / 3600, nil
	}
	return 0, fmt.Errorf("%q is not a rate (try \"20/s\")", s)
}

// ParseDuration is time.ParseDuration with a clearer message.
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration (try \"30s\")", s)
	}
	return d, nil
}
