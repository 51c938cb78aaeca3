package scenarios

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseRate reads a request rate written as "20/s", "1200/m" or "3/h" and
// returns requests per second. The unit is mandatory: a bare "20" is
// ambiguous between per second and per minute, and guessing wrong is a 60×
// mistake.
func ParseRate(s string) (float64, error) {
	num, unit, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return 0, fmt.Errorf("%q is not a rate (try \"20/s\" or \"1200/m\")", s)
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return 0, fmt.Errorf("%q is not a rate (try \"20/s\" or \"1200/m\")", s)
	}
	if n <= 0 {
		return 0, fmt.Errorf("%q must be above zero (try \"1/s\")", s)
	}
	switch strings.TrimSpace(unit) {
	case "s":
		return n, nil
	case "m":
		return n / 60, nil
	case "h":
		return n / 3600, nil
	}
	return 0, fmt.Errorf("%q has an unknown unit (use /s, /m or /h)", s)
}

// FormatRate writes requests per second the way a scenario would.
func FormatRate(perSec float64) string {
	if perSec < 1 && perSec > 0 {
		m := perSec * 60
		if math.Abs(m-math.Round(m)) < 1e-9 {
			return strconv.FormatFloat(math.Round(m), 'f', -1, 64) + "/m"
		}
	}
	return strconv.FormatFloat(perSec, 'f', -1, 64) + "/s"
}

// ParseDuration is time.ParseDuration that also knows days ("2d") and weeks
// ("1w") — soaks and cost periods are written in those — and insists on a
// positive value.
func ParseDuration(s string) (time.Duration, error) {
	d, err := parseDurationAllowZero(s)
	if err != nil {
		return 0, err
	}
	if d <= 0 {
		return 0, fmt.Errorf("%q must be above zero (try \"30s\")", s)
	}
	return d, nil
}

func parseDurationAllowZero(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour}} {
		if num, ok := strings.CutSuffix(t, u.suffix); ok {
			n, err := strconv.ParseFloat(num, 64)
			if err != nil || n < 0 || math.IsInf(n, 0) || n*float64(u.unit) > math.MaxInt64 {
				return 0, fmt.Errorf("%q is not a duration (try \"30s\", \"5m\", \"2h\" or \"30d\")", s)
			}
			return time.Duration(n * float64(u.unit)), nil
		}
	}
	d, err := time.ParseDuration(t)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration (try \"30s\", \"5m\", \"2h\" or \"30d\")", s)
	}
	return d, nil
}

// ParseRatio reads "99.9%" or "0.999" as a fraction in [0, 1].
func ParseRatio(s string) (float64, error) {
	t := strings.TrimSpace(s)
	div := 1.0
	if num, ok := strings.CutSuffix(t, "%"); ok {
		t, div = strings.TrimSpace(num), 100
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) {
		return 0, fmt.Errorf("%q is not a fraction (try \"99.9%%\" or \"0.999\")", s)
	}
	v /= div
	if v < 0 || v > 1 {
		return 0, fmt.Errorf("%q is outside 0%%..100%%", s)
	}
	return v, nil
}

// formatPercent writes a fraction as a short percentage: 0.999 → "99.9%".
func formatPercent(f float64) string {
	return strconv.FormatFloat(math.Round(f*1e6)/1e4, 'f', -1, 64) + "%"
}
