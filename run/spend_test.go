package run

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/seedbench/seedbench/mockserver/mocktest"
	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/runner"
)

// TestExecuteSpendCap: at the cap the run stops issuing, lets the requests
// in flight finish, says why in the footer and the outcome (Untrusted: exit
// 3), and has spent within one request's cost of the cap.
func TestExecuteSpendCap(t *testing.T) {
	t.Parallel()
	url := mocktest.ServeScaled(t, 0.05)
	// Thinking off: before the first answer is billed the cap relies on the
	// projection, which cannot know reasoning tokens.
	src := strings.Replace(shortScenario, "duration: 2s", "duration: 10s", 1)
	src = strings.ReplaceAll(src, "    model: doubao-seed-2.0-pro\n", "    model: doubao-seed-2.0-pro\n    thinking: disabled\n")
	sc := parse(t, src)
	o := options(t, sc, url)
	const capSpend = 0.004 // CNY; a request here costs about 0.00008 (Mini) to 0.0004 (Pro)
	o.MaxSpend = capSpend
	var mu sync.Mutex // OnResult is called from every worker at once
	var dearest float64
	pricing := report.CatalogPricing(sc.Catalog())
	o.Report.Pricing = pricing
	meter := report.NewSpendMeter(pricing, runner.Header{}, 0)
	o.OnResult = func(r *runner.Result) {
		mu.Lock()
		defer mu.Unlock()
		before, _ := meter.Spent()
		after := meter.Add(r)
		dearest = math.Max(dearest, after-before)
	}
	out, err := Execute(context.Background(), context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if out.Class != Untrusted || !strings.Contains(out.Reason, "spend cap") || out.SpendCapped == "" {
		t.Fatalf("class %v, reason %q", out.Class, out.Reason)
	}
	if out.Stats.Issued >= 200 {
		t.Fatalf("issued all %d requests: the cap did not stop the run", out.Stats.Issued)
	}
	if math.Abs(out.Spent-capSpend) > dearest {
		t.Fatalf("spent %.6f against a cap of %.6f: more than one request (%.6f) apart", out.Spent, capSpend, dearest)
	}
	if total := out.Summary.Targets[0].Cost.Total + out.Summary.Targets[1].Cost.Total; math.Abs(total-out.Spent) > 1e-9 {
		t.Fatalf("live spend %.6f, the report's %.6f: one formula must give one figure", out.Spent, total)
	}
	b, err := os.ReadFile(out.ResultsPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var f runner.Footer
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &f); err != nil || f.Type != "footer" || !strings.Contains(f.Stopped, "spend cap") || f.Interrupted {
		t.Fatalf("footer %+v (%v): want the spend cap as the reason, not an interruption", f, err)
	}
}
