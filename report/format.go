package report

import (
	"fmt"
	"math"
	"strconv"
)

// fmtMS writes a duration given in ms at a precision that suits its size:
// 850µs, 4.25ms, 42.5ms, 425ms, 4.25s, 42.5s.
func fmtMS(ms float64) string {
	switch {
	case math.IsNaN(ms):
		return "-"
	case ms < 1:
		return fmt.Sprintf("%.0fµs", ms*1000)
	case ms < 10:
		return fmt.Sprintf("%.2fms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1fms", ms)
	case ms < 1000:
		return fmt.Sprintf("%.0fms", ms)
	case ms < 10000:
		return fmt.Sprintf("%.2fs", ms/1000)
	case ms < 100000:
		return fmt.Sprintf("%.1fs", ms/1000)
	}
	return fmt.Sprintf("%.0fs", ms/1000)
}

// fmtDist writes a percentile of a distribution, or "-" when it is empty.
func fmtDist(d Dist, p float64) string {
	if d.Count == 0 {
		return "-"
	}
	if d.Count < minSamples(p) {
		return "n too small"
	}
	return fmtMS(d.Percentile(p))
}

// fmtPct writes a fraction as a percentage with two decimals.
func fmtPct(f float64) string { return fmt.Sprintf("%.2f%%", f*100) }

// fmtSignedPct writes a relative change: +12.3%, -4.0%.
func fmtSignedPct(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "-"
	}
	return fmt.Sprintf("%+.1f%%", f*100)
}

// fmtRate writes a per-second rate.
func fmtRate(f float64) string {
	switch {
	case f >= 1000:
		return strconv.FormatFloat(math.Round(f), 'f', 0, 64)
	case f >= 10:
		return fmt.Sprintf("%.1f", f)
	}
	return fmt.Sprintf("%.2f", f)
}

// fmtMoney writes an amount with enough decimals to be nonzero when small.
func fmtMoney(v float64) string {
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0"
	case a >= 100:
		return fmt.Sprintf("%.2f", v)
	case a >= 1:
		return fmt.Sprintf("%.3f", v)
	case a >= 0.01:
		return fmt.Sprintf("%.4f", v)
	}
	return fmt.Sprintf("%.6f", v)
}

// checkValue writes a check's measured value in its unit.
func checkValue(c Check, v *float64) string {
	if v == nil {
		return "no data"
	}
	switch c.Unit {
	case "ms":
		return fmtMS(*v)
	case "req/s":
		return fmtRate(*v) + "/s"
	case "burn":
		return fmt.Sprintf("%.1fx", *v)
	}
	return fmtPercent(*v)
}

func tierLabel(t string) string {
	if t == "" {
		return "all"
	}
	return t
}
