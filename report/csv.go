package report

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/seedbench/seedbench/runner"
)

// requestsHeader is requests.csv's first line: one row per record, warmup
// included (flagged), in the order of the results files. Times are ms, empty
// when not measured; token columns without a prefix are the server's usage.
const requestsHeader = "k,target,model,class,tier,billed_tier,warmup,status,error_class,http_status," +
	"intended_ms,sent_ms,lag_ms,ttfb_ms,ttft_ms,ttfat_ms,e2e_ms,corrected_ms,tpot_ms,events," +
	"prompt_tokens,cached_tokens,completion_tokens,reasoning_tokens,est_prompt_tokens,est_completion_tokens," +
	"cost,finish_reason,error\n"

// tpotOf is a request's TPOT = (E2E − TTFT) / (completion_tokens − 1), with
// the server's completion count when it sent usage, else the client's
// estimate; ok is false when it is undefined (fewer than two tokens).
func tpotOf(r *runner.Result) (us int64, fromServer, ok bool) {
	n := r.EstCompletionTokens
	if r.Usage != nil && r.Usage.CompletionTokens > 0 {
		n, fromServer = r.Usage.CompletionTokens, true
	}
	if n <= 1 || r.TTFTUS <= 0 || r.E2EUS <= r.TTFTUS {
		return 0, false, false
	}
	return max((r.E2EUS-r.TTFTUS)/int64(n-1), 1), fromServer, true
}

// appendRequestRow appends r's requests.csv row to dst without allocating.
func appendRequestRow(dst []byte, r *runner.Result, b billing) []byte {
	dst = strconv.AppendInt(dst, r.K, 10)
	dst = append(dst, ',')
	dst = appendCSVField(dst, r.Target)
	dst = append(dst, ',')
	dst = appendCSVField(dst, r.Model)
	dst = append(dst, ',')
	dst = appendCSVField(dst, r.Class)
	dst = append(dst, ',')
	dst = appendCSVField(dst, r.Tier)
	dst = append(dst, ',')
	dst = appendCSVField(dst, b.tier)
	dst = append(dst, ',')
	dst = strconv.AppendBool(dst, r.Warmup)
	dst = append(dst, ',')
	dst = appendCSVField(dst, string(r.Status))
	dst = append(dst, ',')
	dst = appendCSVField(dst, r.ErrorClass)
	dst = append(dst, ',')
	if r.HTTPStatus != 0 {
		dst = strconv.AppendInt(dst, int64(r.HTTPStatus), 10)
	}
	dst = append(dst, ',')
	if r.IntendedUS >= 0 {
		dst = appendMS(dst, r.IntendedUS)
	}
	dst = append(dst, ',')
	dst = appendMS(dst, r.SentUS)
	dst = append(dst, ',')
	dst = appendMS(dst, r.LagUS)
	sent := r.Status != runner.StatusDropped
	for _, v := range []int64{r.TTFBUS, r.TTFTUS, r.TTFATUS} {
		dst = append(dst, ',')
		if v > 0 {
			dst = appendMS(dst, v)
		}
	}
	dst = append(dst, ',')
	if sent {
		dst = appendMS(dst, r.E2EUS)
	}
	dst = append(dst, ',')
	if r.Status == runner.StatusOK {
		lag := max(r.LagUS, 0)
		if r.IntendedUS < 0 {
			lag = 0
		}
		dst = appendMS(dst, r.E2EUS+lag)
	}
	dst = append(dst, ',')
	if tpot, _, ok := tpotOf(r); ok && r.Status == runner.StatusOK {
		dst = appendMS(dst, tpot)
	}
	dst = append(dst, ',')
	dst = strconv.AppendInt(dst, int64(len(r.EventsUS)), 10)
	dst = append(dst, ',')
	if u := r.Usage; u != nil {
		dst = strconv.AppendInt(dst, int64(u.PromptTokens), 10)
		dst = append(dst, ',')
		dst = strconv.AppendInt(dst, int64(u.CachedTokens), 10)
		dst = append(dst, ',')
		dst = strconv.AppendInt(dst, int64(u.CompletionTokens), 10)
		dst = append(dst, ',')
		dst = strconv.AppendInt(dst, int64(u.ReasoningTokens), 10)
	} else {
		dst = append(dst, ",,,"...)
	}
	dst = append(dst, ',')
	dst = strconv.AppendInt(dst, int64(r.EstPromptTokens), 10)
	dst = append(dst, ',')
	dst = strconv.AppendInt(dst, int64(r.EstCompletionTokens), 10)
	dst = append(dst, ',')
	if b.billed {
		dst = strconv.AppendFloat(dst, b.cost, 'f', 8, 64)
	}
	dst = append(dst, ',')
	dst = appendCSVField(dst, r.Finish)
	dst = append(dst, ',')
	dst = appendCSVField(dst, r.Error)
	return append(dst, '\n')
}

// appendMS writes µs as milliseconds with three decimals, exactly.
func appendMS(dst []byte, us int64) []byte {
	if us < 0 {
		dst = append(dst, '-')
		us = -us
	}
	dst = strconv.AppendInt(dst, us/1000, 10)
	frac := us % 1000
	dst = append(dst, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
	return dst
}

// appendCSVField writes a text cell: quoted when RFC 4180 requires it, and
// neutralised when a spreadsheet would read it as a formula. Following
// OWASP's guidance on CSV injection, a cell that begins with =, +, -, @,
// a tab or a carriage return gets a leading single quote (which spreadsheets
// show as text and do not display) and is quoted. Every text cell goes
// through here: the server-supplied ones (finish_reason, and error, which
// carries the server's message) and the names a scenario chose (target,
// model, class, tier), since a results directory is shared with people who
// never saw the scenario. Numbers are written by the tool itself with
// strconv, not through here, so a negative number stays a number.
func appendCSVField(dst []byte, s string) []byte {
	formula := len(s) > 0 && strings.IndexByte("=+-@\t\r", s[0]) >= 0
	if !formula && !strings.ContainsAny(s, ",\"\r\n") {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	if formula {
		dst = append(dst, '\'')
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

func fmtF(v float64, prec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// WriteTargetsCSV writes targets.csv: one row per target and tier, then the
// target over every tier (tier "all"), then every target per tier and
// overall (target "all").
func WriteTargetsCSV(w io.Writer, s *Summary) error {
	bw := bufio.NewWriter(w)
	cols := []string{"target", "model", "tier", "requests", "issued", "ok", "failed", "dropped", "availability", "error_rate",
		"good_requests", "goodput_rps", "throughput_rps", "input_tokens_per_s", "output_tokens_per_s", "achieved_rate", "target_rate"}
	for m := range numMetrics {
		for _, q := range []string{"count", "p50", "p90", "p95", "p99", "p999", "max"} {
			cols = append(cols, m.String()+"_"+q+"_ms")
		}
	}
	cols = append(cols, "server_prompt_tokens", "server_completion_tokens", "server_cached_tokens", "cached_share",
		"prompt_mismatch", "completion_mismatch", "cost_total", "cost_per_1k_requests", "currency")
	bw.WriteString(strings.Join(cols, ",") + "\n")
	row := func(model string, g Group, cost *TargetCost) {
		target, tier := g.Target, g.Tier
		if target == "" {
			target = "all"
		}
		if tier == "" {
			tier = "all"
		}
		f := []string{string(appendCSVField(nil, target)), string(appendCSVField(nil, model)), string(appendCSVField(nil, tier)),
			itoa(g.Requests), itoa(g.Issued), itoa(g.OK), itoa(g.Failed), itoa(g.Dropped),
			fmtF(g.Availability, 6), fmtF(g.ErrorRate, 6), itoa(g.GoodRequests), fmtF(g.Goodput, 3), fmtF(g.Throughput, 3),
			fmtF(g.InputTokensRate, 1), fmtF(g.OutputTokensRate, 1), fmtF(g.Achieved, 3), fmtF(g.TargetRate, 3)}
		for m := range numMetrics {
			d := g.Latency[m.String()]
			if d.Count == 0 {
				f = append(f, "0", "", "", "", "", "", "")
				continue
			}
			f = append(f, itoa(d.Count), fmtF(d.P50, 3), fmtF(d.P90, 3), fmtF(d.P95, 3), fmtF(d.P99, 3), fmtF(d.P999, 3), fmtF(d.Max, 3))
		}
		t := g.Tokens
		f = append(f, itoa(t.ServerPrompt), itoa(t.ServerCompletion), itoa(t.ServerCached), fmtF(t.CachedShare, 6),
			fmtF(t.PromptMismatch, 6), fmtF(t.CompletionMismatch, 6))
		if cost != nil {
			f = append(f, fmtF(cost.Total, 6), fmtF(cost.Per1K, 6), cost.Currency)
		} else {
			f = append(f, "", "", "")
		}
		bw.WriteString(strings.Join(f, ",") + "\n")
	}
	for _, t := range s.Targets {
		for _, g := range t.Tiers {
			row(t.Model, g, tierCost(t.Cost, g.Tier))
		}
		row(t.Model, t.All, t.Cost)
	}
	for _, g := range s.Tiers {
		row("", g, nil)
	}
	row("", s.Overall, nil)
	return bw.Flush()
}

// tierCost is the cost billed in one tier as a TargetCost, for a CSV row.
func tierCost(c *TargetCost, tier string) *TargetCost {
	if c == nil {
		return nil
	}
	out := &TargetCost{Currency: c.Currency}
	for _, t := range c.Tiers {
		if t.Tier == tier {
			out.Total += t.Total
			out.BilledRequests += t.Requests
		}
	}
	out.Per1K = ratioF(out.Total*1000, float64(out.BilledRequests))
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// WriteTimeseriesCSV writes timeseries.csv: per target and time bucket
// (series_step_s seconds from the run's start) the plan's rate (target_rps:
// open-loop requests planned in the bucket, sent or dropped, per second; 0
// in a closed loop), what was sent, completed and how fast, with TTFT
// p50/p99 of the requests sent in the bucket.
func WriteTimeseriesCSV(w io.Writer, s *Summary) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("target,t_s,step_s,target_rps,sent,dropped,ok,failed,good,throughput_rps,goodput_rps,input_tokens_per_s,output_tokens_per_s,ttft_p50_ms,ttft_p99_ms\n")
	for _, p := range timeseries(s) {
		for _, pt := range p.points {
			step := float64(s.step)
			bw.WriteString(strings.Join([]string{string(appendCSVField(nil, p.target)), itoa(pt.t), itoa(s.step),
				fmtF(float64(pt.b.planned)/step, 3), itoa(pt.b.sent), itoa(pt.b.dropped), itoa(pt.b.ok), itoa(pt.b.failed), itoa(pt.b.good),
				fmtF(float64(pt.b.ok)/step, 3), fmtF(float64(pt.b.good)/step, 3),
				fmtF(float64(pt.b.inTok)/step, 1), fmtF(float64(pt.b.outTok)/step, 1),
				fmtF(pt.b.ttft.quantile(0.5)/1000, 3), fmtF(pt.b.ttft.quantile(0.99)/1000, 3)}, ",") + "\n")
		}
	}
	return bw.Flush()
}

type seriesPoint struct {
	t int64 // bucket start, seconds from the run's start
	b *bucket
}

type targetSeries struct {
	target string
	points []seriesPoint
}

// timeseries lists each target's buckets from the first to the last with
// any activity.
func timeseries(s *Summary) []targetSeries {
	var out []targetSeries
	for _, t := range s.Targets {
		ta := s.targets[t.Name]
		if ta == nil {
			continue
		}
		ts := targetSeries{target: t.Name}
		for i := range ta.series.buckets {
			b := &ta.series.buckets[i]
			if b.planned == 0 && b.sent == 0 && b.ok == 0 && b.failed == 0 && b.dropped == 0 && len(ts.points) == 0 {
				continue
			}
			ts.points = append(ts.points, seriesPoint{t: int64(i) * ta.series.step, b: b})
		}
		out = append(out, ts)
	}
	return out
}
