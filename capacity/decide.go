package capacity

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// SecondsPerMonth is the month of every monthly figure: 30 days, as the
// report's projections use.
const SecondsPerMonth = 30 * 24 * 3600

// tieShare is how close two monthly costs are to count as a tie.
const tieShare = 0.01

// Choice is one variant judged against the expected traffic.
type Choice struct {
	Target   string  `json:"target"`
	Capacity float64 `json:"capacity"`
	Lo       float64 `json:"bracket_lo"`
	Hi       float64 `json:"bracket_hi"` // 0: no failing level found
	Binding  string  `json:"binding,omitempty"`
	Excess   float64 `json:"binding_excess,omitempty"`
	Stopped  string  `json:"stopped"`
	// Fits: the capacity is at least the expected rate × headroom. Unknown:
	// it does not, but the search stopped before finding where it fails.
	Fits    bool `json:"fits"`
	Unknown bool `json:"unknown,omitempty"`
	// Margin is capacity / (expected × headroom).
	Margin float64 `json:"margin"`

	// At the expected rate, from the probe nearest it (server usage × the
	// catalog): cost per 1K requests, per month, per answer that met every
	// per-request objective; TTFT p99 there.
	Currency string  `json:"currency,omitempty"`
	Per1K    float64 `json:"cost_per_1k"`
	PerMonth float64 `json:"cost_per_month"`
	PerGood  float64 `json:"cost_per_on_slo_answer"`
	TTFTP99  float64 `json:"ttft_p99_ms"`
	TPOTP95  float64 `json:"tpot_p95_ms"`
	// Basis is the offered level of the probe these figures come from.
	Basis float64 `json:"basis_level"`
}

// Decision is the recommendation for one expected traffic.
type Decision struct {
	Mode     Mode     `json:"mode"`
	Expected float64  `json:"expected"`
	Headroom float64  `json:"headroom"`
	Needed   float64  `json:"needed"`  // expected × headroom
	Choices  []Choice `json:"choices"` // fitting first, then by monthly cost
	// Recommended is the cheapest fitting variant ("" when none fits).
	Recommended string `json:"recommended"`
	Sentence    string `json:"sentence"`
}

// Decide judges every searched variant against expected × headroom and
// writes the recommendation sentence.
func Decide(results []Result, mode Mode, expected, headroom float64) Decision {
	if headroom <= 0 {
		headroom = 1
	}
	d := Decision{Mode: mode, Expected: expected, Headroom: headroom, Needed: expected * headroom}
	for _, r := range results {
		c := Choice{Target: r.Target, Capacity: r.Capacity, Lo: r.Lo, Hi: r.Hi, Binding: r.Binding, Excess: r.BindingExcess, Stopped: r.Stopped}
		if d.Needed > 0 {
			c.Margin = r.Capacity / d.Needed
		}
		c.Fits = r.Capacity > 0 && r.Capacity >= d.Needed
		c.Unknown = !c.Fits && r.Stopped != StopConverged && r.Stopped != StopNoPass && (r.Hi == 0 || r.Hi > d.Needed)
		if o := nearest(r.Probes, expected); o != nil {
			c.Currency, c.Per1K, c.TTFTP99, c.TPOTP95, c.Basis = o.Currency, o.Per1K, o.TTFTP99, o.TPOTP95, o.Spec.Level
			rate := expected
			if mode == ByConcurrency {
				// Streams → requests per second at that probe's pace.
				rate = o.Throughput / math.Max(o.Spec.Level, 1) * expected
			}
			c.PerMonth = c.Per1K / 1000 * rate * SecondsPerMonth
			if o.Good > 0 {
				c.PerGood = o.Spend / float64(o.Good)
			}
		}
		d.Choices = append(d.Choices, c)
	}
	slices.SortStableFunc(d.Choices, func(a, b Choice) int {
		switch {
		case a.Fits != b.Fits:
			if a.Fits {
				return -1
			}
			return 1
		case !tie(a.PerMonth, b.PerMonth):
			return cmpFloat(a.PerMonth, b.PerMonth)
		case a.TTFTP99 != b.TTFTP99:
			return cmpFloat(a.TTFTP99, b.TTFTP99)
		}
		return strings.Compare(a.Target, b.Target)
	})
	if len(d.Choices) > 0 && d.Choices[0].Fits {
		d.Recommended = d.Choices[0].Target
	}
	d.Sentence = d.sentence()
	return d
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// tie says two costs are within tieShare of each other.
func tie(a, b float64) bool {
	hi := math.Max(math.Abs(a), math.Abs(b))
	return hi == 0 || math.Abs(a-b) <= tieShare*hi
}

// nearest is the probe with successes whose level is closest to level
// (ratio-wise), preferring passing probes.
func nearest(recs []ProbeRecord, level float64) *Outcome {
	var best *Outcome
	bestDist, bestPass := math.Inf(1), false
	for i := range recs {
		o := &recs[i].Outcome
		if o.OK == 0 || recs[i].Level <= 0 {
			continue
		}
		dist := math.Abs(math.Log(recs[i].Level / math.Max(level, 1e-9)))
		pass := recs[i].Verdict == Pass
		if (pass && !bestPass) || (pass == bestPass && dist < bestDist) {
			best, bestDist, bestPass = o, dist, pass
		}
	}
	return best
}

// sentence is the computed recommendation:
//   - one fits: it, its capacity, and what binds the others;
//   - several fit: the cheapest, how much cheaper and how much slower (or
//     faster) than the next one that fits;
//   - a tie on cost: both, and the latency that breaks it;
//   - none fits: what binds each one and by how much.
func (d Decision) sentence() string {
	lvl := func(v float64) string { return LevelText(d.Mode, v) }
	at := lvl(d.Needed)
	if d.Headroom != 1 {
		at = fmt.Sprintf("%s (%s × %.3g headroom)", lvl(d.Needed), lvl(d.Expected), d.Headroom)
	}
	var fits, rest []Choice
	for _, c := range d.Choices {
		if c.Fits {
			fits = append(fits, c)
		} else {
			rest = append(rest, c)
		}
	}
	var b strings.Builder
	switch len(fits) {
	case 0:
		if len(d.Choices) == 0 {
			return "No variant was measured."
		}
		fmt.Fprintf(&b, "No variant meets every objective at %s: ", at)
		b.WriteString(d.shortfalls(d.Choices))
		b.WriteString(".")
		return b.String()
	case 1:
		c := fits[0]
		fmt.Fprintf(&b, "Choose %s: the only variant that meets every objective at %s, with capacity %s; %s per month at %s",
			c.Target, at, lvl(c.Capacity), money(c.PerMonth, c.Currency), lvl(d.Expected))
	default:
		c, next := fits[0], fits[1]
		if tie(c.PerMonth, next.PerMonth) {
			fmt.Fprintf(&b, "Choose %s: it and %s both meet every objective at %s and cost the same (%s per month at %s); %s has the lower TTFT p99 (%s vs %s)",
				c.Target, next.Target, at, money(c.PerMonth, c.Currency), lvl(d.Expected), c.Target, ms(c.TTFTP99), ms(next.TTFTP99))
			break
		}
		fmt.Fprintf(&b, "Choose %s: the cheapest variant that meets every objective at %s, with capacity %s; %s per month at %s, %s cheaper than %s (%s), TTFT p99 %s vs %s (%s)",
			c.Target, at, lvl(c.Capacity), money(c.PerMonth, c.Currency), lvl(d.Expected),
			pct(1-c.PerMonth/next.PerMonth), next.Target, money(next.PerMonth, next.Currency),
			ms(c.TTFTP99), ms(next.TTFTP99), speed(c.TTFTP99, next.TTFTP99))
	}
	if len(rest) > 0 {
		b.WriteString("; not enough: ")
		b.WriteString(d.shortfalls(rest))
	}
	b.WriteString(".")
	return b.String()
}

// shortfalls says, per variant, what it carries and what binds it.
func (d Decision) shortfalls(cs []Choice) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		var s string
		switch {
		case c.Fits:
			s = fmt.Sprintf("%s carries %s", c.Target, LevelText(d.Mode, c.Capacity))
		case c.Unknown && c.Capacity == 0:
			s = fmt.Sprintf("%s not measured (search stopped: %s)", c.Target, c.Stopped)
		case c.Unknown:
			s = fmt.Sprintf("%s unknown (passed %s, search stopped: %s)", c.Target, LevelText(d.Mode, c.Capacity), c.Stopped)
		case c.Capacity == 0:
			s = fmt.Sprintf("%s fails even at %s", c.Target, LevelText(d.Mode, c.Hi))
		default:
			s = fmt.Sprintf("%s carries %s, %s short", c.Target, LevelText(d.Mode, c.Capacity), pct(1-c.Margin))
		}
		if !c.Fits && c.Binding != "" {
			s += fmt.Sprintf(", bound by %s", bindingText(c.Binding))
			if c.Excess > 0 && c.Binding != BindingInconclusive {
				s += fmt.Sprintf(" (%s beyond its limit)", pct(c.Excess))
			}
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// speed says how c's latency compares with other's: "3.2× faster".
func speed(c, other float64) string {
	switch {
	case c <= 0 || other <= 0:
		return "latency not measured"
	case c < other:
		return fmt.Sprintf("%.2g× faster", other/c)
	case c > other:
		return fmt.Sprintf("%.2g× slower", c/other)
	}
	return "as fast"
}

func pct(f float64) string {
	if math.Abs(f) >= 0.1 {
		return fmt.Sprintf("%.0f%%", 100*f)
	}
	return fmt.Sprintf("%.1f%%", 100*f)
}

func ms(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2fs", v/1000)
	}
	return fmt.Sprintf("%.0fms", v)
}

func money(v float64, cur string) string {
	if cur == "" {
		cur = "CNY"
	}
	switch {
	case v >= 100:
		return fmt.Sprintf("%s %s", thousands(v), cur)
	case v >= 1:
		return fmt.Sprintf("%.2f %s", v, cur)
	}
	return fmt.Sprintf("%.4f %s", v, cur)
}

// thousands writes a whole amount with thousands separators: 48,600.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// bindingText says a binding constraint in words where its name is terse:
// a quota is the endpoint's, raised by asking, not by a faster variant.
func bindingText(b string) string {
	switch b {
	case BindingQuotaRPM:
		return "the endpoint's request quota (quota_rpm: raise the RPM quota)"
	case BindingQuotaTPM:
		return "the endpoint's token quota (quota_tpm: raise the TPM quota)"
	}
	return b
}
