package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
)

// The operations files shipped in deploy/, relative to this package.
var (
	dashboardFile = filepath.Join("..", "..", "deploy", "grafana", "seedbench.json")
	rulesFile     = filepath.Join("..", "..", "deploy", "prometheus", "seedbench-rules.yml")
)

// dashboardExprs is every PromQL expression of the dashboard: its panels'
// targets and its template variables' queries.
func dashboardExprs(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d any
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	var out []string
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch v := v.(type) {
		case map[string]any:
			for k, c := range v {
				walk(c, k)
			}
		case []any:
			for _, c := range v {
				walk(c, key)
			}
		case string:
			if key == "expr" || (key == "query" && strings.Contains(v, "seedbench")) {
				out = append(out, v)
			}
		}
	}
	walk(d, "")
	if len(out) < 10 {
		t.Fatalf("%s: only %d expressions found", dashboardFile, len(out))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// recordedNames are the recording rules' names in the shipped rules file.
func recordedNames(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Groups []struct {
			Rules []struct {
				Record string `yaml:"record"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", rulesFile, err)
	}
	names := map[string]bool{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				names[r.Record] = true
			}
		}
	}
	return names
}

// exposedNames are the sample names (histograms as _bucket, _sum, _count)
// of one text-format scrape.
func exposedNames(b []byte) map[string]bool {
	names := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		if i := strings.IndexAny(line, "{ "); i > 0 {
			names[line[:i]] = true
		}
	}
	return names
}

var metricName = regexp.MustCompile(`seedbench[_:][A-Za-z0-9_:]+`)

// TestDashboardUsesRealMetricNames: every metric a dashboard query names is
// in a live scrape of a real run (and of the mock it ran against), or is a
// recording rule of the shipped rules file. A renamed series fails here,
// not silently as an empty panel.
func TestDashboardUsesRealMetricNames(t *testing.T) {
	if testing.Short() {
		t.Skip("runs seedbench")
	}
	target := faultyMock(t, 0.05, 0.05)
	metricsAddr := freeAddr(t)
	done := make(chan int, 1)
	var stdout, stderr bytes.Buffer
	go func() {
		done <- Main(context.Background(), []string{"seedbench", "run", "--quiet", "--no-plots", "--max-lag", "1m", "--target", target,
			"--metrics-addr", metricsAddr, "--metrics-linger", "1s", "--out", filepath.Join(t.TempDir(), "run"), writeScenario(t, shortScenario+"slo:\n  ttft_p99: 1s\n  availability: 99.9%\n")}, &stdout, &stderr)
	}()
	// Every series exists from the first scrape, so one scrape while the run
	// is up is enough.
	var run []byte
	for deadline := time.Now().Add(60 * time.Second); run == nil; {
		if b, ok := tryScrape("http://" + metricsAddr + "/metrics"); ok {
			run = b
		} else if time.Now().After(deadline) {
			t.Fatalf("no /metrics within 60 s; stderr:\n%s", stderr.String())
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if code := <-done; code != exitOK && code != exitCheck {
		t.Fatalf("run exit %d: %s", code, stderr.String())
	}
	names := exposedNames(run)
	for n := range exposedNames(scrape(t, strings.TrimSuffix(target, "/v1")+"/metrics")) {
		names[n] = true
	}
	records := recordedNames(t)
	for _, expr := range dashboardExprs(t) {
		for _, n := range metricName.FindAllString(expr, -1) {
			if !names[n] && !records[n] {
				t.Errorf("dashboard query names %s, which neither /metrics nor the rules have: %s", n, expr)
			}
		}
	}
	// and the rules themselves read only exposed series
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range metricName.FindAllString(string(b), -1) {
		if !names[n] && !records[n] {
			t.Errorf("%s names %s, which /metrics does not have", rulesFile, n)
		}
	}
}

// tryScrape GETs url once, without failing the test (the server may not be
// up yet).
func tryScrape(url string) ([]byte, bool) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return b, err == nil && resp.StatusCode == http.StatusOK
}
