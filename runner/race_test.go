package runner

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/seedbench/seedbench/bench/ssetarget"
)

// BenchmarkRace races seedbench's runner against the vegeta library on the
// same cheap target: bench/ssetarget in its own process (one-token streams:
// a content chunk, a finish chunk with usage, [DONE], in one write), so the
// CPU measured here (getrusage of this process) is the client's alone, and
// the target takes as little of the machine as a server can.
//
// Both tools get the same connections (raceConns), the same constant pace
// and the same request body; seedbench parses every event and writes every
// record to a results file as `seedbench run` does; vegeta reads each body
// whole and keeps nothing. Per round, alternating which tool goes first:
//
//   - CPU: each tool sends raceCPUWindow at 2,000/s and at 6,000/s; reported
//     is client CPU (user + system) per 1,000 successful requests, in ms,
//     and vegeta's / seedbench's (≥ 1: seedbench costs no more).
//   - Highest rate kept: paces from 2,000/s up in steps of 2,000, raceWindow
//     each, until a tool misses twice in a row. A tool keeps a pace when no
//     request failed, none was dropped, and ≥ 99 % of the planned requests
//     were sent within 1 ms of their planned time (seedbench: its own
//     sent − intended; vegeta: its result timestamp − its attack start −
//     seq × interval, both from the same pacer arithmetic).
//
// Reported are the medians over the rounds (SEEDBENCH_RACE_ROUNDS, default
// 5) and ratio = seedbench's / vegeta's highest kept pace. Run with
// -benchtime 1x; bench/run.sh runs it as the "race" group.
func BenchmarkRace(b *testing.B) {
	url := ssetargetProcess(b, ssetarget.Config{Events: 1})
	body := chatBody(miniModel, 1, "hi")
	rounds := envInt("SEEDBENCH_RACE_ROUNDS", 5)
	host := sampleHost()
	for range b.N {
		cpu := map[string][]float64{}
		var ours, theirs []float64
		for round := range rounds {
			first, second := raceSeedbench, raceVegeta
			if round%2 == 1 {
				first, second = second, first
			}
			for _, rate := range []int{2000, 6000} {
				for _, tool := range []raceTool{first, second} {
					r := labeled(tool)(b, url, body, rate, int(float64(rate)*raceCPUWindow.Seconds()))
					if r.failed > 0 {
						b.Fatalf("%s at %d/s: %d failed (%s)", r.tool, rate, r.failed, r.firstErr)
					}
					cpu[fmt.Sprintf("%s@%d", r.tool, rate)] = append(cpu[fmt.Sprintf("%s@%d", r.tool, rate)], r.cpuPer1k())
				}
			}
			kept := map[string]int{}
			misses := map[string]int{}
			for rate := 2000; rate <= raceMaxRate && (misses["seedbench"] < 2 || misses["vegeta"] < 2); rate += 2000 {
				for _, tool := range []raceTool{first, second} {
					r := tool(b, url, body, rate, int(float64(rate)*raceWindow.Seconds()))
					if misses[r.tool] >= 2 {
						continue
					}
					b.Logf("round %d %-9s %6d/s: %5.1f%% on time, %d failed, %d dropped, %.0f ms CPU/1k", round, r.tool, rate,
						100*float64(r.onTime)/float64(r.planned), r.failed, r.dropped, r.cpuPer1k())
					if r.kept() {
						kept[r.tool], misses[r.tool] = rate, 0
					} else {
						misses[r.tool]++
					}
				}
			}
			ours, theirs = append(ours, float64(kept["seedbench"])), append(theirs, float64(kept["vegeta"]))
		}
		for _, rate := range []int{2000, 6000} {
			s, v := median(cpu[fmt.Sprintf("seedbench@%d", rate)]), median(cpu[fmt.Sprintf("vegeta@%d", rate)])
			b.ReportMetric(s, fmt.Sprintf("seedbench-cpu-ms/1k@%dk", rate/1000))
			b.ReportMetric(v, fmt.Sprintf("vegeta-cpu-ms/1k@%dk", rate/1000))
			b.ReportMetric(v/s, fmt.Sprintf("cpu-ratio@%dk", rate/1000))
		}
		// The host's CPU steal over the race, the share of all CPU time
		// the hypervisor gave to others (as the trust footer records it):
		// a stolen CPU makes both tools send late by whole milliseconds.
		if end := sampleHost(); end.total > host.total {
			b.ReportMetric(100*float64(end.steal-host.steal)/float64(end.total-host.total), "host-steal-%")
		}
		s, v := median(ours), median(theirs)
		b.ReportMetric(s, "seedbench-kept-req/s")
		b.ReportMetric(v, "vegeta-kept-req/s")
		if v > 0 {
			b.ReportMetric(s/v, "kept-ratio")
		}
	}
}

const (
	raceConns     = 64
	raceWindow    = 1500 * time.Millisecond
	raceCPUWindow = 2 * time.Second
	raceMaxRate   = 40000
	raceOnTime    = time.Millisecond
)

// raceResult is one tool's run at one pace.
type raceResult struct {
	tool                        string
	planned, ok, onTime, failed int
	dropped                     int64
	cpu                         time.Duration
	firstErr                    string
}

func (r raceResult) kept() bool {
	return r.failed == 0 && r.dropped == 0 && float64(r.onTime) >= 0.99*float64(r.planned)
}

func (r raceResult) cpuPer1k() float64 {
	if r.ok == 0 {
		return 0
	}
	return float64(r.cpu) / float64(time.Millisecond) / float64(r.ok) * 1000
}

type raceTool func(b *testing.B, url string, body []byte, rate, n int) raceResult

// labeled runs tool with a pprof label naming it, inherited by every
// goroutine it starts (the transports' too), so a -cpuprofile of the race
// splits by tool: go tool pprof -tagfocus tool=vegeta.
func labeled(tool raceTool) raceTool {
	return func(b *testing.B, url string, body []byte, rate, n int) (r raceResult) {
		name := "seedbench"
		if reflect.ValueOf(tool).Pointer() == reflect.ValueOf(raceVegeta).Pointer() {
			name = "vegeta"
		}
		pprof.Do(context.Background(), pprof.Labels("tool", name), func(context.Context) { r = tool(b, url, body, rate, n) })
		return r
	}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func raceSeedbench(b *testing.B, url string, body []byte, rate, n int) raceResult {
	w, err := CreateResults(filepath.Join(b.TempDir(), "results.jsonl"), Header{Scenario: "race"})
	if err != nil {
		b.Fatal(err)
	}
	client := NewHTTPClient(raceConns, DefaultTimeouts, false)
	defer client.CloseIdleConnections()
	var ok, onTime, failed atomic.Int64
	var firstErr atomic.Pointer[string]
	ctx := context.Background()
	cpu0 := processCPU()
	st, err := Run(ctx, ctx, Config{
		Targets:  []Target{{Name: "mini", Model: miniModel, BaseURL: url}},
		Stages:   []Stage{{Pacer: vegeta.ConstantPacer{Freq: rate, Per: time.Second}, MaxRequests: int64(n)}},
		Requests: constSource{body}, MaxInFlight: raceConns, Client: client, Timeouts: DefaultTimeouts,
		TimersOnly: os.Getenv("SEEDBENCH_BENCH_TIMER") != "", // Go timers only, no kernel sleep
		Sink: func(r *Result) {
			switch {
			case r.OK():
				ok.Add(1)
				if time.Duration(r.LagUS)*time.Microsecond <= raceOnTime {
					onTime.Add(1)
				}
			case r.Status != StatusDropped:
				failed.Add(1)
				msg := r.ErrorClass + ": " + r.Error
				firstErr.CompareAndSwap(nil, &msg)
			}
			w.Write(r)
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Close(Footer{}); err != nil {
		b.Fatal(err)
	}
	res := raceResult{tool: "seedbench", planned: n, ok: int(ok.Load()), onTime: int(onTime.Load()), failed: int(failed.Load()),
		dropped: st.Dropped, cpu: processCPU() - cpu0}
	if p := firstErr.Load(); p != nil {
		res.firstErr = *p
	}
	return res
}

func raceVegeta(b *testing.B, url string, body []byte, rate, n int) raceResult {
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: http.MethodPost, URL: url + "/chat/completions", Body: body,
		Header: http.Header{"Content-Type": {"application/json"}, "Accept": {"text/event-stream"}}})
	atk := vegeta.NewAttacker(vegeta.Workers(raceConns), vegeta.MaxWorkers(raceConns), vegeta.Connections(raceConns), vegeta.KeepAlive(true))
	pacer := &startPacer{ConstantPacer: vegeta.ConstantPacer{Freq: rate, Per: time.Second}, n: uint64(n)}
	interval := time.Duration(pacer.Per.Nanoseconds() / int64(pacer.Freq)) // as ConstantPacer computes it
	res := raceResult{tool: "vegeta", planned: n}
	cpu0 := processCPU()
	for r := range atk.Attack(tr, pacer, 0, "race") {
		if r.Code != http.StatusOK || r.Error != "" || !strings.Contains(string(r.Body), "[DONE]") {
			if res.failed++; res.firstErr == "" {
				res.firstErr = fmt.Sprintf("%d %s", r.Code, r.Error)
			}
			continue
		}
		res.ok++
		if r.Timestamp.Sub(pacer.began.Add(time.Duration(r.Seq)*interval)) <= raceOnTime {
			res.onTime++
		}
	}
	res.cpu = processCPU() - cpu0
	return res
}

// startPacer is vegeta's constant pacer stopped after n hits (Attack has
// no count) that notes the attack's start: vegeta asks the pacer first
// with the time elapsed since its own start, so start = now − elapsed.
type startPacer struct {
	vegeta.ConstantPacer
	n     uint64
	began time.Time
}

func (p *startPacer) Pace(el time.Duration, hits uint64) (time.Duration, bool) {
	if p.began.IsZero() {
		p.began = time.Now().Add(-el)
	}
	if hits >= p.n {
		return 0, true
	}
	return p.ConstantPacer.Pace(el, hits)
}

// BenchmarkRaceSeedbench is the race's seedbench side alone at 6,000/s
// (SEEDBENCH_RACE_RATE) for 2 s: the benchmark to profile (-cpuprofile)
// and to compare commits with (benchstat over -count 6). cpu-ms/1k is
// client CPU per 1,000 requests. SEEDBENCH_BENCH_TIMER=1 paces with Go
// timers only (no kernel sleep).
func BenchmarkRaceSeedbench(b *testing.B) { raceAlone(b, raceSeedbench) }

// BenchmarkRaceVegeta is the race's vegeta side alone, the same way: profile
// both at one rate and compare where each spends its CPU.
func BenchmarkRaceVegeta(b *testing.B) { raceAlone(b, raceVegeta) }

func raceAlone(b *testing.B, tool raceTool) {
	url := ssetargetProcess(b, ssetarget.Config{Events: 1})
	body := chatBody(miniModel, 1, "hi")
	rate := envInt("SEEDBENCH_RACE_RATE", 6000)
	for range b.N {
		r := tool(b, url, body, rate, int(float64(rate)*raceCPUWindow.Seconds()))
		if r.failed > 0 {
			b.Fatalf("%d failed (%s)", r.failed, r.firstErr)
		}
		b.ReportMetric(r.cpuPer1k(), "cpu-ms/1k")
		b.ReportMetric(100*float64(r.onTime)/float64(r.planned), "%on-time")
	}
}
