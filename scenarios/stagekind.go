package scenarios

import (
	"errors"
	"fmt"
	"math"

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
	// pacer builds an open-loop stage's pacer.
	pacer func(st Stage, seed uint64) vegeta.Pacer
	// rates are an open-loop stage's mean and peak planned rate and the
	// field that sets the peak.
	rates func(st Stage) (mean, peak float64, field string)
	// scale makes the stage run at r for --rate (its other rates in
	// proportion); nil leaves the stage alone.
	scale func(st *Stage, r float64)
	// warmup is the steady load a warmup before a stage of this kind runs
	// at; nil means the stage's own.
	warmup func(st Stage) Stage
	// shape describes the load in the scenario's words.
	shape func(st Stage) string
	// check reports what is wrong with the kind's own fields beyond being
	// present and parsing (bad names the field).
	check func(st Stage, bad func(field, format string, a ...any))
}

// stageKindNames is the order messages list the kinds in.
var stageKindNames = []string{KindConstant, KindPoisson, KindGamma, KindRamp, KindSine, KindConcurrency, KindTrace}

var stageKinds = map[string]stageKind{
	KindConstant: {
		fields: []string{"rate"},
		pacer: func(st Stage, _ uint64) vegeta.Pacer {
			return vegetaRate(st.Rate.PerSec)
		},
		rates: steadyRates, scale: scaleSteady, shape: func(st Stage) string { return st.Rate.Text },
	},
	KindPoisson: {
		fields: []string{"rate"},
		pacer: func(st Stage, seed uint64) vegeta.Pacer {
			return NewPoisson(st.Rate.PerSec, seed)
		},
		rates: steadyRates, scale: scaleSteady, shape: func(st Stage) string { return st.Rate.Text },
	},
	KindGamma: {
		fields: []string{"rate", "cv"},
		pacer: func(st Stage, seed uint64) vegeta.Pacer {
			return NewGamma(st.Rate.PerSec, st.CV, seed)
		},
		rates: steadyRates, scale: scaleSteady,
		shape: func(st Stage) string { return fmt.Sprintf("%s, cv %g", st.Rate, st.CV) },
		check: func(st Stage, bad func(string, string, ...any)) {
			if st.CV != 0 && !(st.CV > 0) {
				bad("cv", "%g must be above zero (1 is Poisson; 2 to 4 is bursty)", st.CV)
			}
		},
	},
	KindRamp: {
		fields: []string{"from", "to"},
		pacer: func(st Stage, _ uint64) vegeta.Pacer {
			// rate(t) = from + slope·t, reaching to at the end of the stage.
			from, to := st.From.PerSec, st.To.PerSec
			return vegeta.LinearPacer{StartAt: vegetaRate(from), Slope: (to - from) / st.Duration.D.Seconds()}
		},
		rates: func(st Stage) (float64, float64, string) {
			from, to := st.From.PerSec, st.To.PerSec
			if from > to {
				return (from + to) / 2, from, "from"
			}
			return (from + to) / 2, to, "to"
		},
		scale: func(st *Stage, r float64) {
			st.From, st.To = RateOf(round6(st.From.PerSec*r/st.To.PerSec)), RateOf(r)
		},
		warmup: func(st Stage) Stage { return Stage{Name: "warmup", Kind: KindConstant, Rate: st.From} },
		shape:  func(st Stage) string { return st.From.Text + " → " + st.To.Text },
	},
	KindSine: {
		fields: []string{"mean", "amplitude", "period", "phase"},
		pacer: func(st Stage, _ uint64) vegeta.Pacer {
			return vegeta.SinePacer{Period: st.Period.D, Mean: vegetaRate(st.Mean.PerSec), Amp: vegetaRate(st.Amplitude.PerSec), StartAt: sinePhases[st.Phase]}
		},
		rates: func(st Stage) (float64, float64, string) {
			return st.Mean.PerSec, st.Mean.PerSec + st.Amplitude.PerSec, "amplitude"
		},
		scale: func(st *Stage, r float64) {
			st.Mean, st.Amplitude = RateOf(r), RateOf(round6(st.Amplitude.PerSec*r/st.Mean.PerSec))
		},
		warmup: func(st Stage) Stage { return Stage{Name: "warmup", Kind: KindConstant, Rate: st.Mean} },
		shape: func(st Stage) string {
			phase := st.Phase
			if phase == "" {
				phase = "mean_up"
			}
			return fmt.Sprintf("%s ± %s every %s from %s", st.Mean, st.Amplitude, st.Period, phase)
		},
		check: func(st Stage, bad func(string, string, ...any)) {
			if mean, amp := st.Mean.PerSec, st.Amplitude.PerSec; mean > 0 && amp >= mean {
				bad("amplitude", "%s must be below the mean %s (the rate would reach zero)", st.Amplitude, st.Mean)
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
		check: func(st Stage, bad func(string, string, ...any)) {
			if st.Users != 0 && st.Users < 1 {
				bad("users", "%d must be at least 1", st.Users)
			}
		},
	},
	KindTrace: {replay: true},
}

// steadyRates are a steady stage's rates: its rate is mean and peak.
func steadyRates(st Stage) (float64, float64, string) {
	return st.Rate.PerSec, st.Rate.PerSec, "rate"
}

func scaleSteady(st *Stage, r float64) { st.Rate = RateOf(r) }

var sinePhases = map[string]float64{"mean_up": 0, "peak": math.Pi / 2, "mean_down": math.Pi, "trough": 3 * math.Pi / 2}

// errMissing stands for a typed field the kind takes that was not given:
// validation reports it as missing.
var errMissing = errors.New("missing")

// unitValue is a typed field: a Rate, Duration or Ratio.
type unitValue interface {
	IsZero() bool
	Err() error
}

// fieldErr is what keeps st's field name, a rate or period its kind
// takes, from being used: errMissing when it was not given, its parse
// error when it did not parse, nil when it did (and for a field that is
// not a typed value).
func (st Stage) fieldErr(name string) error {
	v, ok := map[string]unitValue{"rate": st.Rate, "from": st.From, "to": st.To,
		"mean": st.Mean, "amplitude": st.Amplitude, "period": st.Period}[name]
	switch {
	case !ok:
		return nil
	case v.IsZero():
		return errMissing
	}
	return v.Err()
}

// fieldsErr is the first of the rate and period fields st's kind takes
// that cannot be used (fieldErr), or nil when every one can.
func (st Stage) fieldsErr() error {
	for _, f := range stageKinds[st.Kind].fields {
		if err := st.fieldErr(f); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	return nil
}

// stageRates is a stage's mean and peak planned rate and the field that
// sets the peak (0 for closed-loop and trace stages; a rate that does not
// parse, which validation reports, counts as 0).
func stageRates(st Stage) (mean, peak float64, field string) {
	k := stageKinds[st.Kind]
	if k.rates == nil {
		return 0, 0, ""
	}
	return k.rates(st)
}

// warmupOf is the steady load a warmup before st runs at: st itself, or
// what its kind says (the rate a ramp starts from, a sine's mean).
func warmupOf(st Stage) Stage {
	if w := stageKinds[st.Kind].warmup; w != nil {
		return w(st)
	}
	return Stage{Name: "warmup", Kind: st.Kind, Rate: st.Rate, CV: st.CV, Users: st.Users}
}
