package scenarios

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/goccy/go-yaml/ast"
)

// A windowed objective is judged in every window of the run as well as
// over all of it, so a soak that was bad for ten minutes and fine for fifty
// does not pass:
//
//	slo:
//	  ttft_p99: {max: 2s, window: 5m}        # p99 of every 5-minute window ≤ 2s
//	  availability: {min: 99.9%, window: 1h} # every hour ≥ 99.9 %
//
// "max" bounds an at-most objective (latency, error_rate, dropped), "min"
// an at-least one (availability, goodput, achieved_rate); the plain form
// (ttft_p99: 2s) has no window. Windows are tiled from the start of the
// measured requests; the report evaluates each (report/windows.go).

// minWindow is the shortest window: one second of requests is already a
// thin sample for a percentile.
const minWindow = time.Second

// boundKey is the mapping key of o's bound: "max" or "min".
func (o Objective) boundKey() string {
	if o.AtLeast() {
		return "min"
	}
	return "max"
}

// decodeObjectiveValue reads an objective's value, plain ("2s") or
// windowed ({max: 2s, window: 5m}); ok is false when a problem was
// reported.
func decodeObjectiveValue(d *decoder, name string, n ast.Node, path string) (text string, window time.Duration, ok bool) {
	es, isMap := d.entries(d.resolve(n, path), path)
	if !isMap {
		d.decode(n, reflect.ValueOf(&text).Elem(), path)
		return text, 0, true
	}
	probe, err := parseObjectiveName(name)
	if err != nil {
		return "", 0, false // the name is reported by the caller
	}
	want := probe.boundKey()
	var haveBound, haveWindow bool
	for _, e := range es {
		p := joinPath(path, e.key)
		var v string
		switch e.key {
		case want:
			d.decode(e.value, reflect.ValueOf(&text).Elem(), p)
			haveBound = true
		case "window":
			d.decode(e.value, reflect.ValueOf(&v).Elem(), p)
			w, err := ParseDuration(v)
			switch {
			case err != nil:
				d.failAt(e.value, p, "%v", err)
				return "", 0, false
			case w < minWindow:
				d.failAt(e.value, p, "window %s is shorter than %s", v, minWindow)
				return "", 0, false
			}
			window, haveWindow = w, true
		case "max", "min":
			d.failAt(e.keyN, p, "%s is bounded by %s, not %s (%s: {%s: …, window: 5m})", name, want, e.key, name, want)
			return "", 0, false
		default:
			d.failAt(e.keyN, p, "unknown key %q (want %s and window)", e.key, want)
			return "", 0, false
		}
	}
	if !haveBound || !haveWindow {
		d.failAt(n, path, "want {%s: BOUND, window: DURATION}, e.g. {%s: %s, window: 5m}", want, want, map[bool]string{true: "99.9%", false: "2s"}[probe.AtLeast()])
		return "", 0, false
	}
	return text, window, true
}

// jsonValue is what SLO.MarshalJSON writes for o: the value as written, or
// {"max": "2s", "window": "5m"} for a windowed objective.
func (o Objective) jsonValue() any {
	if o.Window <= 0 {
		return o.Raw
	}
	return map[string]string{o.boundKey(): o.Raw, "window": o.Window.String()}
}

// parseJSONObjective reads what jsonValue wrote.
func parseJSONObjective(name string, raw json.RawMessage) (Objective, error) {
	var v string
	if err := json.Unmarshal(raw, &v); err == nil {
		return ParseObjective(name, v)
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return Objective{}, err
	}
	probe, err := parseObjectiveName(name)
	if err != nil {
		return probe, err
	}
	o, err := ParseObjective(name, m[probe.boundKey()])
	if err != nil {
		return o, err
	}
	w, err := ParseDuration(m["window"])
	if err != nil || w < minWindow {
		return o, fmt.Errorf("window %q: want a duration of at least %s", m["window"], minWindow)
	}
	o.Window = w
	return o, nil
}
