package scenarios

import (
	"fmt"
	"time"
)

// The scenario's rates, durations and ratios are typed values: each is
// parsed once, where the scenario is read (from YAML by the decoder, from a
// results header's JSON by encoding/json), and keeps the text the user
// wrote. The arithmetic uses the parsed number; messages quote the text
// ("amplitude 5/s must be below the mean 4/s"); writing the scenario back
// (the header's resolved_scenario) writes the text, so a scenario
// round-trips byte for byte and an old results file still reads.
//
// A text that does not parse is kept with its error (Err) instead of
// failing the decode: validation reports it at the field's place in the
// file together with every other problem, as it reports a missing field
// (the zero value, Text "": the field was not given). The YAML decoder
// fills them through UnmarshalText, as encoding/json does.

// Rate is a request rate: Text as written ("20/s", "1200/m"), PerSec what
// it means.
type Rate struct {
	Text   string
	PerSec float64
	err    error
}

// NewRate parses text as ParseRate does. The value keeps text, and the
// error when it does not parse.
func NewRate(text string) (Rate, error) {
	r := Rate{Text: text}
	r.PerSec, r.err = ParseRate(text)
	return r, r.err
}

// RateOf is perSec written the way a scenario would (FormatRate), for
// rates the program sets (--rate, a scaled ramp). PerSec is what that text
// reads back as, so the value survives a round trip through the header.
func RateOf(perSec float64) Rate {
	r, _ := NewRate(FormatRate(perSec))
	return r
}

// Err is why Text is not a rate (nil when it is one or was not given).
func (r Rate) Err() error { return r.err }

// IsZero reports a rate that was not given.
func (r Rate) IsZero() bool { return r.Text == "" }

func (r Rate) String() string { return r.Text }

// MarshalText writes the text as it was given.
func (r Rate) MarshalText() ([]byte, error) { return []byte(r.Text), nil }

// UnmarshalText parses b, keeping an error in the value (see Err).
func (r *Rate) UnmarshalText(b []byte) error { *r = fromText(b, NewRate); return nil }

// Duration is a length of time: Text as written ("30s", "2d"), D what it
// means. A zero length parses (load.warmup: 0s means none) but is not a
// positive duration (Err).
type Duration struct {
	Text string
	D    time.Duration
	err  error // Text is not a duration at all
}

// NewDuration parses text as ParseDuration does (a positive duration).
// The value keeps text, and the error when it is not one.
func NewDuration(text string) (Duration, error) {
	d := Duration{Text: text}
	d.D, d.err = parseDurationAllowZero(text)
	return d, d.Err()
}

// DurationOf is d written as time.Duration writes it ("5m0s"), for
// durations the program sets (--duration, a capacity probe).
func DurationOf(d time.Duration) Duration {
	v, _ := NewDuration(d.String())
	return v
}

// Err is why Text is not a positive duration (nil when it is one or was
// not given).
func (d Duration) Err() error {
	if d.err == nil && d.Text != "" && d.D <= 0 {
		return fmt.Errorf("%q must be above zero (try \"30s\")", d.Text)
	}
	return d.err
}

// errAllowZero is Err for a field where zero means none (load.warmup).
func (d Duration) errAllowZero() error { return d.err }

// IsZero reports a duration that was not given.
func (d Duration) IsZero() bool { return d.Text == "" }

func (d Duration) String() string { return d.Text }

// MarshalText writes the text as it was given.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.Text), nil }

// UnmarshalText parses b, keeping an error in the value (see Err).
func (d *Duration) UnmarshalText(b []byte) error { *d = fromText(b, NewDuration); return nil }

// Ratio is a fraction in [0, 1]: Text as written ("3%", "0.25"),
// Fraction what it means.
type Ratio struct {
	Text     string
	Fraction float64
	err      error
}

// NewRatio parses text as ParseRatio does. The value keeps text, and the
// error when it does not parse.
func NewRatio(text string) (Ratio, error) {
	r := Ratio{Text: text}
	r.Fraction, r.err = ParseRatio(text)
	return r, r.err
}

// RatioOf is f written as a short percentage ("3%"), for ratios the
// program sets (the default guard band); Fraction is what that text reads
// back as.
func RatioOf(f float64) Ratio {
	r, _ := NewRatio(formatPercent(f))
	return r
}

// Err is why Text is not a fraction (nil when it is one or was not given).
func (r Ratio) Err() error { return r.err }

// IsZero reports a ratio that was not given.
func (r Ratio) IsZero() bool { return r.Text == "" }

func (r Ratio) String() string { return r.Text }

// MarshalText writes the text as it was given.
func (r Ratio) MarshalText() ([]byte, error) { return []byte(r.Text), nil }

// UnmarshalText parses b, keeping an error in the value (see Err).
func (r *Ratio) UnmarshalText(b []byte) error { *r = fromText(b, NewRatio); return nil }

// fromText is the value b gives: the zero value for no text (the field
// was not given), else what parse makes of it, its error kept inside.
func fromText[T any](b []byte, parse func(string) (T, error)) T {
	var v T
	if len(b) > 0 {
		v, _ = parse(string(b))
	}
	return v
}
