package scenarios

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"

	"github.com/goccy/go-yaml/ast"
)

// Dist is a distribution of token counts. In YAML it is either a bare
// number (a fixed count) or a mapping:
//
//	fixed      value
//	uniform    min, max            every whole number in [min, max] equally likely
//	normal     mean, stddev        then clamped to [min, max] when given
//	lognormal  mean, sigma         mean is the arithmetic mean: μ = ln(mean) − σ²/2
//
// min and max clamp normal and lognormal draws (a value outside is set to
// the bound). A class's tier, by contrast, conditions the draw: lengths are
// drawn from the distribution restricted to the tier, so no spike builds up
// at a tier edge.
type Dist struct {
	Kind   string  `yaml:"dist" json:"dist"`
	Value  int     `yaml:"value" json:"value,omitempty"`
	Min    int     `yaml:"min" json:"min,omitempty"`
	Max    int     `yaml:"max" json:"max,omitempty"`
	Mean   float64 `yaml:"mean" json:"mean,omitempty"`
	Stddev float64 `yaml:"stddev" json:"stddev,omitempty"`
	Sigma  float64 `yaml:"sigma" json:"sigma,omitempty"`
}

// Distribution kinds.
const (
	DistFixed     = "fixed"
	DistUniform   = "uniform"
	DistNormal    = "normal"
	DistLognormal = "lognormal"
)

var distKinds = []string{DistFixed, DistUniform, DistNormal, DistLognormal}

// distFields is Dist without its YAML method, for decoding the mapping form.
type distFields Dist

func (x *Dist) decodeYAML(d *decoder, n ast.Node, path string) {
	switch n.(type) {
	case *ast.MappingNode, *ast.MappingValueNode:
		d.decodeStruct(n, reflect.ValueOf((*distFields)(x)).Elem(), path)
		if x.Kind == "" && d.present(path+".value") && !d.present(path+".min") && !d.present(path+".max") {
			x.Kind = DistFixed
		}
	case *ast.NullNode:
	default:
		var v int
		d.decodeScalar(n, reflect.ValueOf(&v).Elem(), path)
		*x = Dist{Kind: DistFixed, Value: v}
	}
}

// UnmarshalJSON accepts the same two forms as YAML: a number or an object.
func (x *Dist) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*x = Dist{Kind: DistFixed, Value: n}
		return nil
	}
	return json.Unmarshal(b, (*distFields)(x))
}

// IsZero reports whether the distribution was not given.
func (x Dist) IsZero() bool { return x == Dist{} }

// String is the short form used by "scenarios show": "fixed 2000",
// "lognormal mean 3000 σ 0.6 [500, 30000]".
func (x Dist) String() string {
	itoa := strconv.Itoa
	ftoa := func(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
	var s string
	switch x.Kind {
	case DistFixed:
		return "fixed " + itoa(x.Value)
	case DistUniform:
		return "uniform " + itoa(x.Min) + ".." + itoa(x.Max)
	case DistNormal:
		s = "normal mean " + ftoa(x.Mean) + " sd " + ftoa(x.Stddev)
	case DistLognormal:
		s = "lognormal mean " + ftoa(x.Mean) + " sigma " + ftoa(x.Sigma)
	case "":
		return "-"
	default:
		return x.Kind
	}
	switch {
	case x.Min > 0 && x.Max > 0:
		s += " clamp [" + itoa(x.Min) + ", " + itoa(x.Max) + "]"
	case x.Min > 0:
		s += " clamp ≥ " + itoa(x.Min)
	case x.Max > 0:
		s += " clamp ≤ " + itoa(x.Max)
	}
	return s
}

// quantile is the inverse CDF of the unclamped, continuous distribution at
// u in (0, 1). A whole-number draw is round(quantile(u)); a uniform over
// [min, max] is continuous over [min−½, max+½] so every whole number gets
// the same mass after rounding.
func (x Dist) quantile(u float64) float64 {
	switch x.Kind {
	case DistFixed:
		return float64(x.Value)
	case DistUniform:
		lo := float64(x.Min) - 0.5
		return lo + u*float64(x.Max-x.Min+1)
	case DistNormal:
		return x.Mean + x.Stddev*normQuantile(u)
	case DistLognormal:
		// E[exp(μ + σZ)] = exp(μ + σ²/2) = mean.
		mu := math.Log(x.Mean) - x.Sigma*x.Sigma/2
		return math.Exp(mu + x.Sigma*normQuantile(u))
	}
	return 0
}

// cdf is P(X ≤ v) of the unclamped, continuous distribution.
func (x Dist) cdf(v float64) float64 {
	switch x.Kind {
	case DistFixed:
		if v < float64(x.Value) {
			return 0
		}
		return 1
	case DistUniform:
		lo := float64(x.Min) - 0.5
		return clamp01((v - lo) / float64(x.Max-x.Min+1))
	case DistNormal:
		return normCDF((v - x.Mean) / x.Stddev)
	case DistLognormal:
		if v <= 0 {
			return 0
		}
		mu := math.Log(x.Mean) - x.Sigma*x.Sigma/2
		return normCDF((math.Log(v) - mu) / x.Sigma)
	}
	return 0
}

// normQuantile is Φ⁻¹(u) = √2·erfinv(2u − 1).
func normQuantile(u float64) float64 { return math.Sqrt2 * math.Erfinv(2*u-1) }

// normCDF is Φ(z) = ½·erfc(−z/√2).
func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

func clamp01(f float64) float64 { return math.Min(1, math.Max(0, f)) }

// interval is [lo, hi) in the distribution's probability space.
type interval struct{ lo, hi float64 }

// sampler draws whole numbers from a Dist restricted to allowed token
// ranges (a tier, minus guard bands) and clamped to [lo, hi]. Restriction
// works in probability space: u ∈ [0,1) is mapped linearly onto the union
// of the allowed CDF intervals, then through the quantile function, which
// is exactly the distribution conditioned on the allowed set — no
// rejection loop, and the same u always gives the same length.
type sampler struct {
	d      Dist
	lo, hi int
	spans  []interval
	mass   float64 // total probability of the spans
}

// newSampler restricts d to the token ranges keep (inclusive [a, b] pairs)
// and clamps to [lo, hi].
func newSampler(d Dist, lo, hi int, keep [][2]int) *sampler {
	s := &sampler{d: d, lo: lo, hi: hi}
	for _, k := range keep {
		a, b := d.cdf(float64(k[0])-0.5), d.cdf(float64(k[1])+0.5)
		if d.Kind == DistFixed { // a step CDF: keep the point if it is inside
			if d.Value >= k[0] && d.Value <= k[1] {
				a, b = 0, 1
			} else {
				continue
			}
		}
		if b > a {
			s.spans = append(s.spans, interval{a, b})
			s.mass += b - a
		}
	}
	return s
}

// sample maps u ∈ [0, 1) to a length.
func (s *sampler) sample(u float64) int {
	p := u * s.mass
	q := 0.0
	for i, sp := range s.spans {
		w := sp.hi - sp.lo
		if p < w || i == len(s.spans)-1 {
			q = sp.lo + math.Min(p, w)
			break
		}
		p -= w
	}
	// Keep Φ⁻¹ finite at the ends of (0, 1).
	q = math.Min(math.Max(q, 1e-12), 1-1e-12)
	v := math.Round(s.d.quantile(q))
	v = math.Min(math.Max(v, float64(s.lo)), float64(s.hi))
	return int(v)
}
