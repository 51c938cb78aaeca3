package mockserver

import (
	"encoding/json"
	"math"
	"sync"
	"testing"
	"time"
)

func TestLengthMean(t *testing.T) {
	for _, tc := range []struct {
		name string
		l    Length
		cap  int
		want float64
		tol  float64
	}{
		// Spread 0 is exact: the mean itself, or the cap.
		{"fixed", Length{Mean: 300}, 0, 300, 0},
		{"fixed, capped", Length{Mean: 300}, 64, 64, 0},
		// The lognormal's mean is Mean by construction (rounding aside).
		{"lognormal, no clamp", Length{Mean: 300, Spread: 0.6}, 0, 300, 0.5},
		// A cap far below the mean: almost every draw is cut to it.
		{"lognormal, cap far below", Length{Mean: 3000, Spread: 0.25}, 64, 64, 0.01},
		// E[min(X, c)] for the lognormal, closed form: m·Φ((ln(c/m)−σ²/2)/σ) + c·(1−Φ((ln(c/m)+σ²/2)/σ)).
		{"lognormal, cap at the mean", Length{Mean: 200, Spread: 0.6}, 200, closedMinMean(200, 0.6, 200), 0.6},
	} {
		if got := tc.l.mean(1, tc.cap); math.Abs(got-tc.want) > tc.tol {
			t.Errorf("%s: mean %v, want %v ± %v", tc.name, got, tc.want, tc.tol)
		}
	}
}

// closedMinMean is E[min(X, c)] for X lognormal with mean m and sigma s.
func closedMinMean(m, s, c float64) float64 {
	phi := func(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }
	k := math.Log(c / m)
	return m*phi((k-s*s/2)/s) + c*(1-phi((k+s*s/2)/s))
}

func TestCapacityOrdersTheVariants(t *testing.T) {
	ps := DefaultProfiles()
	d := Demand{PromptTokens: 1000, MaxTokens: 64}
	mini, lite, pro := ps["doubao-seed-2.0-mini"].Capacity(d), ps["doubao-seed-2.0-lite"].Capacity(d), ps["doubao-seed-2.0-pro"].Capacity(d)
	if !(mini > lite && lite > pro && pro > 0) || math.IsInf(mini, 0) {
		t.Fatalf("capacities mini %v, lite %v, pro %v: want finite and mini > lite > pro", mini, lite, pro)
	}
	// Thinking makes a request hold its slot longer.
	thinking := d
	thinking.Thinking = true
	if c := ps["doubao-seed-2.0-pro"].Capacity(thinking); c >= pro {
		t.Fatalf("pro thinking %v ≥ not thinking %v", c, pro)
	}
	// A request bucket below the slots binds.
	p := ps["doubao-seed-2.0-mini"]
	p.RPM = 600
	if c := p.Capacity(d); c != 10 {
		t.Fatalf("RPM 600: capacity %v, want 10/s", c)
	}
}

// TestCapacityMatchesTheServer saturates a small mock (more clients than
// slots, closed loop) and compares its completion rate with Capacity.
func TestCapacityMatchesTheServer(t *testing.T) {
	if testing.Short() {
		t.Skip("drives the mock for a few seconds")
	}
	cfg := DefaultConfig()
	cfg.TimeScale = 0.05
	p := cfg.Models["doubao-seed-2.0-mini"]
	p.MaxInFlight, p.MaxQueue, p.ITLSpread = 4, 64, 0
	cfg.Models = map[string]Profile{"doubao-seed-2.0-mini": p}
	_, hs := startServer(t, cfg)
	body := `{"model":"doubao-seed-2.0-mini","max_tokens":48,"stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"how many requests per second can you serve"}]}`
	code, _, out := post(t, hs, `{"model":"doubao-seed-2.0-mini","max_tokens":1,"messages":[{"role":"user","content":"how many requests per second can you serve"}]}`)
	if code != 200 {
		t.Fatalf("%d %s", code, out)
	}
	var u struct {
		Usage struct {
			Prompt int `json:"prompt_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal([]byte(out), &u); err != nil {
		t.Fatal(err)
	}
	want := p.Capacity(Demand{PromptTokens: u.Usage.Prompt, MaxTokens: 48}) / cfg.TimeScale

	// 8 clients keep the 4 slots busy; count completions after a settling
	// period.
	const clients, settle, measure = 8, 300 * time.Millisecond, 2 * time.Second
	var mu sync.Mutex
	var done []time.Time
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for time.Since(start) < settle+measure {
				if code, _, out := post(t, hs, body); code != 200 {
					t.Errorf("%d %s", code, out)
					return
				}
				mu.Lock()
				done = append(done, time.Now())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	n := 0
	for _, d := range done {
		if at := d.Sub(start); at > settle && at <= settle+measure {
			n++
		}
	}
	got := float64(n) / measure.Seconds()
	if math.Abs(got-want)/want > 0.15 {
		t.Fatalf("served %.1f req/s, Capacity says %.1f", got, want)
	}
	t.Logf("served %.1f req/s, Capacity %.1f", got, want)
}
