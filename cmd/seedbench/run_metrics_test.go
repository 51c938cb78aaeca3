package main

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

func TestLatencyBuckets(t *testing.T) {
	for _, tc := range []struct {
		name           string
		lo, hi         float64
		thresholds     []float64
		wantLen        int
		mustHave       []float64
		firstAndLast   [2]float64
		forbidNonFinit bool
	}{
		// two decades of R10 plus the top: 21 boundaries
		{name: "plain", lo: 0.01, hi: 1, wantLen: 21, mustHave: []float64{0.01, 0.02, 0.05, 0.1, 0.315, 0.5}, firstAndLast: [2]float64{0.01, 1}},
		// a threshold between boundaries is added; one already there is not duplicated
		{name: "thresholds", lo: 0.01, hi: 1, thresholds: []float64{0.7, 0.5, 0.7}, wantLen: 22, mustHave: []float64{0.7}, firstAndLast: [2]float64{0.01, 1}},
		// a threshold beyond the span extends the series to its decade
		{name: "beyond", lo: 0.01, hi: 1, thresholds: []float64{30}, wantLen: 42, mustHave: []float64{30, 31.5}, firstAndLast: [2]float64{0.01, 100}},
		// zero and infinite thresholds are ignored
		{name: "junk", lo: 0.01, hi: 1, thresholds: []float64{0, math.Inf(1)}, wantLen: 21, firstAndLast: [2]float64{0.01, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := latencyBuckets(tc.lo, tc.hi, tc.thresholds)
			if len(b) != tc.wantLen {
				t.Errorf("%d boundaries, want %d: %v", len(b), tc.wantLen, b)
			}
			if !slices.IsSorted(b) {
				t.Errorf("not sorted: %v", b)
			}
			for _, v := range tc.mustHave {
				if !slices.Contains(b, v) {
					t.Errorf("%v lacks %v", b, v)
				}
			}
			if b[0] != tc.firstAndLast[0] || b[len(b)-1] != tc.firstAndLast[1] {
				t.Errorf("span %v..%v, want %v", b[0], b[len(b)-1], tc.firstAndLast)
			}
			for i := 1; i < len(b); i++ {
				if b[i]/b[i-1] > 1.281 {
					t.Errorf("step %v → %v wider than one R10 step", b[i-1], b[i])
				}
			}
		})
	}
}

func mustObjective(t *testing.T, name, value string) scenarios.Objective {
	t.Helper()
	o, err := scenarios.ParseObjective(name, value)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// testSetup is a two-tier target with an SLO whose thresholds are not R10
// boundaries.
func testSetup(t *testing.T) metricsSetup {
	return metricsSetup{Run: "r1", Scenario: "soak", Stages: []runner.Stage{{Name: "warmup", Warmup: true}, {Name: "steady"}},
		Targets: []metricsTarget{{Name: "mini", Model: "doubao-seed-2.0-mini", Tiers: []string{"32k", "128k"},
			Objectives: []scenarios.Objective{mustObjective(t, "ttft_p99", "700ms"), mustObjective(t, "availability", "99.9%"),
				mustObjective(t, "e2e_max", "30s"), mustObjective(t, "error_rate", "1%")}}}}
}

// family finds one gathered metric family by name.
func family(t *testing.T, fams []*dto.MetricFamily, name string) *dto.MetricFamily {
	t.Helper()
	for _, f := range fams {
		if f.GetName() == name {
			return f
		}
	}
	t.Fatalf("no family %s", name)
	return nil
}

func labelsOf(m *dto.Metric) map[string]string {
	l := map[string]string{}
	for _, p := range m.GetLabel() {
		l[p.GetName()] = p.GetValue()
	}
	return l
}

// find returns the one metric of f whose labels include want.
func find(t *testing.T, f *dto.MetricFamily, want map[string]string) *dto.Metric {
	t.Helper()
	var got []*dto.Metric
	for _, m := range f.GetMetric() {
		l := labelsOf(m)
		match := true
		for k, v := range want {
			match = match && l[k] == v
		}
		if match {
			got = append(got, m)
		}
	}
	if len(got) != 1 {
		t.Fatalf("%s%v: %d series, want 1", f.GetName(), want, len(got))
	}
	return got[0]
}

// TestMetricsBeforeTheFirstRequest: every series the run will have is there,
// at zero, before any request finished, with the run's labels, and warmup
// series exist beside the measured ones.
func TestMetricsBeforeTheFirstRequest(t *testing.T) {
	m := newRunMetrics(runner.NewLive(nil), testSetup(t))
	fams, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"seedbench_ttft_seconds", "seedbench_tpot_seconds", "seedbench_e2e_seconds", "seedbench_itl_seconds"} {
		f := family(t, fams, name)
		if len(f.GetMetric()) != 4 { // 2 tiers × 2 phases
			t.Errorf("%s: %d series, want 4", name, len(f.GetMetric()))
		}
		for _, phase := range []string{"warmup", "measured"} {
			h := find(t, f, map[string]string{"run": "r1", "scenario": "soak", "target": "mini", "model": "doubao-seed-2.0-mini", "tier": "128k", "phase": phase}).GetHistogram()
			if h.GetSampleCount() != 0 {
				t.Errorf("%s %s: count %d before any request", name, phase, h.GetSampleCount())
			}
		}
	}
	// the objective's threshold is a boundary of its metric's histogram only
	var bounds []float64
	for _, b := range find(t, family(t, fams, "seedbench_ttft_seconds"), map[string]string{"tier": "32k", "phase": "measured"}).GetHistogram().GetBucket() {
		bounds = append(bounds, b.GetUpperBound())
	}
	if !slices.Contains(bounds, 0.7) {
		t.Errorf("ttft buckets lack the objective's 0.7 s: %v", bounds)
	}
	st := find(t, family(t, fams, "seedbench_objective_status"), map[string]string{"objective": "ttft_p99"})
	if v := st.GetGauge().GetValue(); v != -1 {
		t.Errorf("status before data %v, want -1", v)
	}
	find(t, family(t, fams, "seedbench_requests_total"), map[string]string{"tier": "32k", "phase": "warmup", "status": "ok"})
}

// TestObjectiveGauges: the objectives judged live agree with figures worked
// out by hand from the requests fed in.
func TestObjectiveGauges(t *testing.T) {
	m := newRunMetrics(runner.NewLive(nil), testSetup(t))
	ok := func(ttft time.Duration, warm bool) *runner.Result {
		us := ttft.Microseconds()
		return &runner.Result{Target: "mini", Model: "doubao-seed-2.0-mini", Tier: "32k", Status: runner.StatusOK, Warmup: warm,
			TTFTUS: us, E2EUS: us + 100_000, EventsUS: []int64{us, us + 50_000, us + 100_000}, Usage: &runner.Usage{PromptTokens: 10, CompletionTokens: 3}}
	}
	// 995 fast, 5 slow (0.5 % over 700 ms of a 1 % allowance: half the budget
	// left), 2 failed of 1002 issued (0.2 % of a 0.1 % allowance: −1), one
	// dropped (not charged), and warmup requests that count nowhere.
	for range 995 {
		m.observe(ok(100*time.Millisecond, false))
	}
	for range 5 {
		m.observe(ok(2*time.Second, false))
	}
	for range 50 {
		m.observe(ok(10*time.Second, true))
		m.observe(&runner.Result{Target: "mini", Tier: "32k", Status: runner.StatusError, ErrorClass: runner.ClassHTTP5xx, Warmup: true})
	}
	m.observe(&runner.Result{Target: "mini", Model: "doubao-seed-2.0-mini", Tier: "32k", Status: runner.StatusError, ErrorClass: runner.ClassHTTP429})
	m.observe(&runner.Result{Target: "mini", Model: "doubao-seed-2.0-mini", Tier: "128k", Status: runner.StatusError, ErrorClass: runner.ClassTimeout})
	m.observe(&runner.Result{Target: "mini", Model: "doubao-seed-2.0-mini", Tier: "32k", Status: runner.StatusDropped})

	fams, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	gauge := func(name, objective string) float64 {
		want := map[string]string{"target": "mini"}
		if objective != "" {
			want["objective"] = objective
		}
		return find(t, family(t, fams, name), want).GetGauge().GetValue()
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	near("availability", gauge("seedbench_availability", ""), 1000.0/1002)
	near("issued", gauge("seedbench_measured_issued", ""), 1002)
	near("availability status", gauge("seedbench_objective_status", "availability"), 0)
	near("availability budget", gauge("seedbench_error_budget_remaining", "availability"), 1-(2.0/1002)/0.001)
	near("error_rate status", gauge("seedbench_objective_status", "error_rate"), 1)
	near("error_rate budget", gauge("seedbench_error_budget_remaining", "error_rate"), 1-(2.0/1002)/0.01)
	near("ttft_p99 status", gauge("seedbench_objective_status", "ttft_p99"), 1)
	near("ttft_p99 budget", gauge("seedbench_error_budget_remaining", "ttft_p99"), 0.5)
	near("ttft_p99 threshold", gauge("seedbench_objective_threshold", "ttft_p99"), 0.7)
	if v := gauge("seedbench_objective_value", "ttft_p99"); math.Abs(v-0.1) > 0.001 {
		t.Errorf("ttft_p99 value %v, want 0.1 within the histogram's 0.1 %%", v)
	}
	// e2e_max ≤ 30 s: met (2.1 s), and a max has no budget to export
	near("e2e_max status", gauge("seedbench_objective_status", "e2e_max"), 1)
	for _, mt := range family(t, fams, "seedbench_error_budget_remaining").GetMetric() {
		if labelsOf(mt)["objective"] == "e2e_max" {
			t.Error("e2e_max exported an error budget")
		}
	}
	// warmup is labelled, not hidden
	warm := find(t, family(t, fams, "seedbench_ttft_seconds"), map[string]string{"tier": "32k", "phase": "warmup"}).GetHistogram()
	if warm.GetSampleCount() != 50 {
		t.Errorf("warmup ttft count %d, want 50", warm.GetSampleCount())
	}
	meas := find(t, family(t, fams, "seedbench_ttft_seconds"), map[string]string{"tier": "32k", "phase": "measured"}).GetHistogram()
	if meas.GetSampleCount() != 1000 {
		t.Errorf("measured ttft count %d, want 1000", meas.GetSampleCount())
	}
	itl := find(t, family(t, fams, "seedbench_itl_seconds"), map[string]string{"tier": "32k", "phase": "measured"}).GetHistogram()
	if itl.GetSampleCount() != 2000 {
		t.Errorf("itl count %d, want 2000 (two gaps a request)", itl.GetSampleCount())
	}
	dropped := find(t, family(t, fams, "seedbench_requests_total"), map[string]string{"tier": "32k", "phase": "measured", "status": "dropped"})
	if v := dropped.GetCounter().GetValue(); v != 1 {
		t.Errorf("dropped %v, want 1", v)
	}
}

// TestRateMeter: the achieved rate looks back over the window whatever the
// sampling, and falls to zero once sending stops.
func TestRateMeter(t *testing.T) {
	t0 := time.Unix(1000, 0)
	r := newRateMeter(t0)
	// irregular scrapes of a steady 8/s read 8/s
	for _, s := range []int{1, 2, 3, 7, 8, 19, 20, 21, 35, 36, 40} {
		got := r.rate(t0.Add(time.Duration(s)*time.Second), int64(8*s))
		if math.Abs(got-8) > 1e-9 {
			t.Fatalf("at %ds: %v, want 8", s, got)
		}
	}
	// a stop at 40 s: 5 s later the window still holds some sending; 11 s later none
	if got := r.rate(t0.Add(45*time.Second), 320); got <= 0 || got >= 8 {
		t.Errorf("5 s after the last send: %v, want between 0 and 8", got)
	}
	if got := r.rate(t0.Add(56*time.Second), 320); got != 0 {
		t.Errorf("16 s after the last send: %v, want 0", got)
	}
}

// TestMetricsExposition: /metrics serves the text format, and promtool (when
// installed) finds nothing to complain about.
func TestMetricsExposition(t *testing.T) {
	m := newRunMetrics(runner.NewLive([]runner.Stage{{Name: "steady"}}), testSetup(t))
	m.observe(&runner.Result{Target: "mini", Model: "doubao-seed-2.0-mini", Tier: "32k", Status: runner.StatusOK, TTFTUS: 150000, E2EUS: 400000,
		EventsUS: []int64{150000, 170000}, Usage: &runner.Usage{PromptTokens: 100, CompletionTokens: 2}})
	m.observe(&runner.Result{Target: "mini", Model: "doubao-seed-2.0-mini", Tier: "32k", Status: runner.StatusError, ErrorClass: runner.ClassHTTP429})
	addr, stop, err := serveMetrics("127.0.0.1:0", m.reg)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	b := scrape(t, "http://"+addr+"/metrics")
	for _, want := range []string{
		`seedbench_requests_total{error_class="http_429",model="doubao-seed-2.0-mini",phase="measured",run="r1",scenario="soak",status="error",target="mini",tier="32k"} 1`,
		`seedbench_ttft_seconds_bucket{model="doubao-seed-2.0-mini",phase="measured",run="r1",scenario="soak",target="mini",tier="32k",le="0.7"} 1`,
		`seedbench_tokens_total{kind="completion",model="doubao-seed-2.0-mini",phase="measured",run="r1",scenario="soak",target="mini",tier="32k"} 2`,
		`seedbench_in_flight{run="r1",scenario="soak"} 0`,
		`seedbench_planned_rate{run="r1",scenario="soak"} 0`,
		`seedbench_stage{run="r1",scenario="soak",stage="steady"} 0`,
		`seedbench_schedule_lag_seconds_count{model="doubao-seed-2.0-mini",phase="measured",run="r1",scenario="soak",target="mini",tier="32k"} 2`,
	} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	promtoolCheckMetrics(t, b)
}

func scrape(t *testing.T, url string) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	defer http.DefaultClient.CloseIdleConnections()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// promtoolCheckMetrics runs "promtool check metrics" (Prometheus's own
// linter of the exposition format and naming conventions) on b.
func promtoolCheckMetrics(t *testing.T, b []byte) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Log("promtool not installed (Debian package prometheus): the exposition lint is skipped")
		return
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}
