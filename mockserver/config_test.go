package mockserver

import (
	"strings"
	"testing"
)

// TestZeroConfigRejected: a Config not made by DefaultConfig/LoadConfig is
// refused by Validate and makes New panic with a message saying why.
func TestZeroConfigRejected(t *testing.T) {
	if err := (Config{}).Validate(); err == nil || !strings.Contains(err.Error(), "DefaultConfig") {
		t.Fatalf("Validate: %v", err)
	}
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "DefaultConfig") {
			t.Fatalf("New(Config{}) did not panic usefully: %v", r)
		}
	}()
	New(Config{})
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Config)
		want string // "" = valid
	}{
		{"default", func(*Config) {}, ""},
		// Time scale 0 is allowed (unpaced); negative is not.
		{"unpaced", func(c *Config) { c.TimeScale = 0 }, ""},
		{"negative scale", func(c *Config) { c.TimeScale = -1 }, "time_scale"},
		{"no models", func(c *Config) { c.Models = nil }, "models: no models"},
		{"no body limit", func(c *Config) { c.MaxBodyBytes = 0 }, "max_body_bytes"},
		// Field errors name the model and field.
		{"bad thinking", func(c *Config) {
			p := c.Models["doubao-seed-2.0-pro"]
			p.Thinking = "sometimes"
			c.Models["doubao-seed-2.0-pro"] = p
		}, `models.doubao-seed-2.0-pro.thinking: "sometimes"`},
		{"fault over 1", func(c *Config) {
			p := c.Models["doubao-seed-2.0-lite"]
			p.Faults.Stall = 1.5
			c.Models["doubao-seed-2.0-lite"] = p
		}, "models.doubao-seed-2.0-lite.faults.stall: rate 1.5"},
		{"cap above window", func(c *Config) {
			p := c.Models["doubao-seed-2.0-mini"]
			p.MaxOutputTokens = p.ContextWindow + 1
			c.Models["doubao-seed-2.0-mini"] = p
		}, "models.doubao-seed-2.0-mini.max_output_tokens"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.edit(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}
