package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/seedbench/seedbench/mockserver"
	"github.com/seedbench/seedbench/mockserver/mocktest"
	"github.com/seedbench/seedbench/report"
)

// promServer is a real Prometheus on a loopback port, scraping the given
// targets every second (generous: under the race detector on a
// busy machine one scrape of a run takes up to a second), its data in a temporary directory.
type promServer struct{ url string }

// startPrometheus starts Debian's prometheus binary scraping targets, with
// a rules file (absolute path; "" for none) evaluated every second, or skips
// the test saying why when it is not installed.
func startPrometheus(t *testing.T, rules string, targets ...string) *promServer {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Skip("prometheus is not installed (Debian package prometheus; .ci/run installs it): the real-Prometheus test is skipped")
	}
	dir := t.TempDir()
	ruleFiles := ""
	if rules != "" {
		ruleFiles = "rule_files: [" + strconv.Quote(rules) + "]"
	}
	quoted := make([]string, len(targets))
	for i, a := range targets {
		quoted[i] = strconv.Quote(a)
	}
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
%s
scrape_configs:
  - job_name: seedbench
    static_configs:
      - targets: [%s]
`, ruleFiles, strings.Join(quoted, ", "))
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--config.file="+cfgPath, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--log.level=warn")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("prometheus log:\n%s", logs.String())
		}
	})
	p := &promServer{url: "http://" + addr}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.url + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus not ready after 30 s: %v\n%s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// freeAddr is a loopback address no one listens on (a port the kernel just
// gave out and took back).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// promSample is one element of an instant vector.
type promSample struct {
	Metric map[string]string
	Value  float64
}

// query runs an instant PromQL query through the HTTP API, now.
func (p *promServer) query(t *testing.T, expr string) []promSample {
	t.Helper()
	return p.queryAt(t, expr, time.Time{})
}

// queryAt runs an instant query at a given time (zero: now).
func (p *promServer) queryAt(t *testing.T, expr string, at time.Time) []promSample {
	t.Helper()
	q := url.Values{"query": {expr}}
	if !at.IsZero() {
		q.Set("time", strconv.FormatFloat(float64(at.UnixNano())/1e9, 'f', 3, 64))
	}
	resp, err := http.Get(p.url + "/api/v1/query?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	if body.Status != "success" {
		t.Fatalf("%s: %s", expr, body.Error)
	}
	out := make([]promSample, len(body.Data.Result))
	for i, r := range body.Data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%s: value %v", expr, r.Value[1])
		}
		out[i] = promSample{Metric: r.Metric, Value: v}
	}
	return out
}

// scalar runs a query that must give exactly one sample.
func (p *promServer) scalar(t *testing.T, expr string) float64 {
	t.Helper()
	s := p.query(t, expr)
	if len(s) != 1 {
		t.Fatalf("%s: %d samples, want 1: %v", expr, len(s), s)
	}
	return s[0].Value
}

// promScenario: a warmup second, then five seconds at 40 req/s on one
// target; its TTFT objective is not an R10 boundary, so the exposition must
// add it.
const promScenario = `name: prom
description: a short run for the real-Prometheus test
targets:
  - name: mini
    model: doubao-seed-2.0-mini
mix:
  - name: chat
    weight: 1
    prompt_tokens: {dist: uniform, min: 200, max: 4000}
    output_tokens: 12
load:
  seed: 11
  max_in_flight: 200
  warmup: 1s
  stages:
    - kind: poisson
      rate: 40/s
      duration: 5s
slo:
  ttft_p99: 170ms
  availability: 99%
`

// faultyMock serves the default profiles, time-scaled, failing share of the
// requests with a 500.
func faultyMock(t *testing.T, scale, share float64) string {
	t.Helper()
	cfg := mockserver.DefaultConfig()
	cfg.TimeScale = scale
	cfg.Seed = 9
	for name, p := range cfg.Models {
		p.Faults.HTTP500 = share
		cfg.Models[name] = p
	}
	return mocktest.Serve(t, cfg)
}

// TestPrometheusAgreesWithTheReport: a real Prometheus scrapes a real run;
// PromQL's p99 TTFT lies in the histogram bucket holding the report's p99,
// and PromQL's availability equals the report's.
func TestPrometheusAgreesWithTheReport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Prometheus process")
	}
	began := time.Now()
	metricsAddr := freeAddr(t)
	target := faultyMock(t, 0.05, 0.03)
	mockURL, _ := url.Parse(target)
	rules, err := filepath.Abs(filepath.Join("..", "..", "deploy", "prometheus", "seedbench-rules.yml"))
	if err != nil {
		t.Fatal(err)
	}
	prom := startPrometheus(t, rules, metricsAddr, mockURL.Host)
	t.Logf("prometheus ready after %s", time.Since(began).Round(time.Millisecond))

	out := filepath.Join(t.TempDir(), "run")
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"seedbench", "run", "--quiet", "--no-plots", "--max-lag", "1m", "--target", target,
		"--metrics-addr", metricsAddr, "--metrics-linger", "3s", "--out", out, writeScenario(t, promScenario)}, &stdout, &stderr)
	// Main returns when the linger is over: 1.5 s before, every series was
	// still up with its final value.
	lingering := time.Now().Add(-1500 * time.Millisecond)
	if code != exitOK && code != exitCheck {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr.String())
	}
	t.Logf("run done after %s", time.Since(began).Round(time.Millisecond))
	sum := readSummary(t, out)
	var mini *report.TargetSummary
	for i := range sum.Targets {
		if sum.Targets[i].Name == "mini" {
			mini = &sum.Targets[i]
		}
	}
	if mini == nil || mini.All.Issued < 150 || mini.All.Failed == 0 {
		t.Fatalf("want ~200 measured requests with a few 500s, got %+v", mini)
	}

	// The run has ended: its series are stale now, so every query reads the
	// last sample scraped (the linger made sure one came after the end).
	const sel = `{phase="measured",target="mini"}`
	got := prom.query(t, `max(last_over_time(seedbench_measured_issued{target="mini"}[5m]))`)
	if len(got) != 1 {
		t.Fatalf("Prometheus has no sample of the run; scrapes: up %v, slowest %v s",
			prom.query(t, "max_over_time(up[5m])"), prom.query(t, "max_over_time(scrape_duration_seconds[5m])"))
	}
	if issued := got[0].Value; int64(issued) != mini.All.Issued {
		t.Fatalf("Prometheus saw %v issued, the report %d: the last scrape missed the end", issued, mini.All.Issued)
	}

	// p99 TTFT: PromQL interpolates inside the bucket holding the 99th
	// percentile; the report's exact p99 must be in that same bucket.
	p99 := prom.scalar(t, `histogram_quantile(0.99, sum by (le) (last_over_time(seedbench_ttft_seconds_bucket`+sel+`[5m])))`)
	var bounds []float64
	for _, s := range prom.query(t, `count by (le) (last_over_time(seedbench_ttft_seconds_bucket`+sel+`[5m]))`) {
		if b, err := strconv.ParseFloat(s.Metric["le"], 64); err == nil && !math.IsInf(b, 0) {
			bounds = append(bounds, b)
		}
	}
	slices.Sort(bounds)
	if !slices.Contains(bounds, 0.17) {
		t.Errorf("the objective's 170 ms is not a bucket boundary: %v", bounds)
	}
	want := mini.All.Latency["ttft"].P99 / 1000
	i, _ := slices.BinarySearch(bounds, want)
	if i == 0 || i == len(bounds) {
		t.Fatalf("report p99 %v s outside the buckets %v", want, bounds)
	}
	lo, hi := bounds[i-1], bounds[i]
	const hdrPrecision = 1e-3 // the report's histogram: 3 significant figures
	if p99 < lo*(1-hdrPrecision) || p99 > hi*(1+hdrPrecision) {
		t.Errorf("PromQL p99 %v s, report p99 %v s: not in the report's bucket (%v, %v]", p99, want, lo, hi)
	}
	t.Logf("ttft p99: PromQL %.4f s, report %.4f s, bucket (%v, %v]", p99, want, lo, hi)

	// availability: from the counters and from the gauge, both exact
	fromCounters := prom.scalar(t, `sum(last_over_time(seedbench_requests_total{phase="measured",target="mini",status="ok"}[5m]))
		/ sum(last_over_time(seedbench_requests_total{phase="measured",target="mini",status=~"ok|error"}[5m]))`)
	gauge := prom.scalar(t, `last_over_time(seedbench_availability{target="mini"}[5m])`)
	for what, v := range map[string]float64{"counters": fromCounters, "gauge": gauge} {
		if math.Abs(v-mini.All.Availability) > 1e-6 {
			t.Errorf("availability from the %s %v, report %v", what, v, mini.All.Availability)
		}
	}
	// warmup was scraped too, labelled
	if w := prom.scalar(t, `sum(last_over_time(seedbench_requests_total{phase="warmup",target="mini"}[5m]))`); w < 20 {
		t.Errorf("warmup requests seen by Prometheus: %v, want about 40", w)
	}

	// Every query of the shipped dashboard is valid PromQL over series this
	// run and the rules really produce: each returns data.
	for _, expr := range dashboardExprs(t) {
		if strings.HasPrefix(expr, "label_values(") {
			continue // a Grafana template query, not PromQL
		}
		q := strings.NewReplacer("$__rate_interval", "1m", "$run", ".*", "$target", ".*").Replace(expr)
		// A loaded machine can delay a rule evaluation past the instant
		// asked: any of the run's last few seconds will do.
		found := false
		for back := range 4 {
			if got := prom.queryAt(t, q, lingering.Add(-time.Duration(back)*time.Second)); len(got) > 0 {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("dashboard query returns nothing in the run's last seconds: %s", q)
		}
	}
}
