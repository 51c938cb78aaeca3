package scenarios

import (
	"fmt"
	"math"
	"slices"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// stageKind is everything that differs between stage kinds: the fields a
// kind takes and their checks, its pacer, its planned rates, how --rate
// scales it, the steady load a warmup before it runs at, and how `scenarios
// show` describes it. Planning, validation, overrides, the ceiling, quota
// and cost checks and the summary ask a stage's entry in stageKinds instead
// of switching on its kind, so a new kind is one entry here (and its pacer
// in pacer.go when vegeta has none).
type stageKind struct {
	// fields are the fields the kind takes besides name, kind, duration
	// and max_requests; all but phase are required.
	fields []string
	// closed marks a closed-loop kind: users workers, no pacer, no
	// planned rate (the server's speed sets it).
	closed bool
	// replay marks the trace kind: the source trace gives every send
	// time, so it has no rate, --rate refuses it and --duration cuts it.
	replay bool
	// pacer builds an open-loop stage's pacer from its parsed values.
	pacer func(st Stage, v stageValues, dur time.Duration, seed uint64) vegeta.Pacer
	// rates are an open-loop stage's mean and peak planned rate and the
	// field that sets the peak.
	rates func(v stageValues) (mean, peak float64, field string)
	// scale makes the stage run at r for --rate (its other rates in
	// proportion); nil leaves the stage alone.
	scale func(st *Stage, v stageValues, r float64)
	// warmup is the steady load a warmup before a stage of this kind runs
	// at; nil means the stage's own.
	warmup func(st Stage) Stage
	// shape describes the load in the scenario's words.
	shape func(st Stage) string
	// check reports what is wrong with the kind's own fields beyond being
	// present and parsing (bad names the field).
	check func(st Stage, v stageValues, bad func(field, format string, a ...any))
}

// stageKindNames is the order messages list the kinds in.
var stageKindNames = []string{KindConstant, KindPoisson, KindGamma, KindRamp, KindSine, KindConcurrency, KindTrace}

var stageKinds = map[string]stageKind{
	KindConstant: {
		fields: []string{"rate"},
		pacer: func(_ Stage, v stageValues, _ time.Duration, _ uint64) vegeta.Pacer {
			return vegetaRate(v.Rate.PerSec)
		},
		rates: steadyRates, scale: scaleSteady, shape: func(st Stage) string { return st.Rate },
	},
	KindPoisson: {
		fields: []string{"rate"},
		pacer: func(_ Stage, v stageValues, _ time.Duration, seed uint64) vegeta.Pacer {
			return NewPoisson(v.Rate.PerSec, seed)
		},
		rates: steadyRates, scale: scaleSteady, shape: func(st Stage) string { return st.Rate },
	},
	KindGamma: {
		fields: []string{"rate", "cv"},
		pacer: func(st Stage, v stageValues, _ time.Duration, seed uint64) vegeta.Pacer {
			return NewGamma(v.Rate.PerSec, st.CV, seed)
		},
		rates: steadyRates, scale: scaleSteady,
		shape: func(st Stage) string { return fmt.Sprintf("%s, cv %g", st.Rate, st.CV) },
		check: func(st Stage, _ stageValues, bad func(string, string, ...any)) {
			if st.CV != 0 && !(st.CV > 0) {
				bad("cv", "%g must be above zero (1 is Poisson; 2 to 4 is bursty)", st.CV)
			}
		},
	},
	KindRamp: {
		fields: []string{"from", "to"},
		pacer: func(_ Stage, v stageValues, dur time.Duration, _ uint64) vegeta.Pacer {
			// rate(t) = from + slope·t, reaching to at the end of the stage.
			from, to := v.From.PerSec, v.To.PerSec
			return vegeta.LinearPacer{StartAt: vegetaRate(from), Slope: (to - from) / dur.Seconds()}
		},
		rates: func(v stageValues) (float64, float64, string) {
			from, to := v.From.PerSec, v.To.PerSec
			if from > to {
				return (from + to) / 2, from, "from"
			}
			return (from + to) / 2, to, "to"
		},
		scale: func(st *Stage, v stageValues, r float64) {
			st.From, st.To = FormatRate(round6(v.From.PerSec*r/v.To.PerSec)), FormatRate(r)
		},
		warmup: func(st Stage) Stage { return Stage{Name: "warmup", Kind: KindConstant, Rate: st.From} },
		shape:  func(st Stage) string { return st.From + " → " + st.To },
	},
	KindSine: {
		fields: []string{"mean", "amplitude", "period", "phase"},
		pacer: func(st Stage, v stageValues, _ time.Duration, _ uint64) vegeta.Pacer {
			return vegeta.SinePacer{Period: v.Period.D, Mean: vegetaRate(v.Mean.PerSec), Amp: vegetaRate(v.Amplitude.PerSec), StartAt: sinePhases[st.Phase]}
		},
		rates: func(v stageValues) (float64, float64, string) {
			return v.Mean.PerSec, v.Mean.PerSec + v.Amplitude.PerSec, "amplitude"
		},
		scale: func(st *Stage, v stageValues, r float64) {
			st.Mean, st.Amplitude = FormatRate(r), FormatRate(round6(v.Amplitude.PerSec*r/v.Mean.PerSec))
		},
		warmup: func(st Stage) Stage { return Stage{Name: "warmup", Kind: KindConstant, Rate: st.Mean} },
		shape: func(st Stage) string {
			phase := st.Phase
			if phase == "" {
				phase = "mean_up"
			}
			return fmt.Sprintf("%s ± %s every %s from %s", st.Mean, st.Amplitude, st.Period, phase)
		},
		check: func(st Stage, v stageValues, bad func(string, string, ...any)) {
			if mean, amp := v.Mean.PerSec, v.Amplitude.PerSec; mean > 0 && amp >= mean {
				bad("amplitude", "%s must be below the mean %s (the rate would reach zero)", v.Amplitude, v.Mean)
			}
			if _, ok := sinePhases[st.Phase]; st.Phase != "" && !ok {
				bad("phase", "%q is not a phase (one of mean_up, peak, mean_down, trough)", st.Phase)
			}
		},
	},
	KindConcurrency: {
		fields: []string{"users"},
		closed: true,
		shape:  func(st Stage) string { return fmt.Sprintf("%d users", st.Users) },
		check: func(st Stage, _ stageValues, bad func(string, string, ...any)) {
			if st.Users != 0 && st.Users < 1 {
				bad("users", "%d must be at least 1", st.Users)
			}
		},
	},
	KindTrace: {replay: true},
}

// steadyRates are a steady stage's rates: its rate is mean and peak.
func steadyRates(v stageValues) (float64, float64, string) {
	return v.Rate.PerSec, v.Rate.PerSec, "rate"
}

func scaleSteady(st *Stage, _ stageValues, r float64) { st.Rate = FormatRate(r) }

var sinePhases = map[string]float64{"mean_up": 0, "peak": math.Pi / 2, "mean_down": math.Pi, "trough": 3 * math.Pi / 2}

// stageValues are one stage's rates and period, parsed once, each keeping
// the text it was written as. A field the kind does not take is zero.
type stageValues struct {
	Rate, From, To, Mean, Amplitude Rate
	Period                          Duration
}

// fieldError is one stage field that did not parse.
type fieldError struct {
	field string
	err   error
}

// values parses the rate and period fields st's kind takes (an empty one
// is an error too: validation reports it as missing, the plan as the
// parse error it is).
func (st Stage) values() (stageValues, []fieldError) {
	var v stageValues
	var errs []fieldError
	fields := stageKinds[st.Kind].fields
	for _, f := range []struct {
		name, text string
		dst        *Rate
	}{{"rate", st.Rate, &v.Rate}, {"from", st.From, &v.From}, {"to", st.To, &v.To},
		{"mean", st.Mean, &v.Mean}, {"amplitude", st.Amplitude, &v.Amplitude}} {
		if !slices.Contains(fields, f.name) {
			continue
		}
		r, err := NewRate(f.text)
		if err != nil {
			errs = append(errs, fieldError{f.name, err})
		}
		*f.dst = r
	}
	if slices.Contains(fields, "period") {
		d, err := NewDuration(st.Period)
		if err != nil {
			errs = append(errs, fieldError{"period", err})
		}
		v.Period = d
	}
	return v, errs
}

// stageRates is a stage's mean and peak planned rate and the field that
// sets the peak (0 for closed-loop and trace stages; a rate that does not
// parse, which validation reports, counts as 0).
func stageRates(st Stage) (mean, peak float64, field string) {
	k := stageKinds[st.Kind]
	if k.rates == nil {
		return 0, 0, ""
	}
	v, _ := st.values()
	return k.rates(v)
}

// warmupOf is the steady load a warmup before st runs at: st itself, or
// what its kind says (the rate a ramp starts from, a sine's mean).
func warmupOf(st Stage) Stage {
	if w := stageKinds[st.Kind].warmup; w != nil {
		return w(st)
	}
	return Stage{Name: "warmup", Kind: st.Kind, Rate: st.Rate, CV: st.CV, Users: st.Users}
}
