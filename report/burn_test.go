package report

import (
	"strings"
	"testing"
	"time"
)

func TestBurnAlertsScaleWithTheRun(t *testing.T) {
	for _, tc := range []struct {
		period                                   time.Duration
		pageLong, pageShort, tickLong, tickShort time.Duration
	}{
		// a day or more: the workbook's own windows
		{24 * time.Hour, time.Hour, 5 * time.Minute, 6 * time.Hour, 30 * time.Minute},
		{72 * time.Hour, time.Hour, 5 * time.Minute, 6 * time.Hour, 30 * time.Minute},
		// an hour is 1/24 of a day: 3600/24 = 150 s, 300/24 = 12.5 s, 21600/24 = 900 s, 1800/24 = 75 s
		{time.Hour, 150 * time.Second, 12500 * time.Millisecond, 15 * time.Minute, 75 * time.Second},
		// 30 s is 1/2880: 1.25 s, 104.1666 ms, 7.5 s, 625 ms
		{30 * time.Second, 1250 * time.Millisecond, 104166666, 7500 * time.Millisecond, 625 * time.Millisecond},
		// no length known: unscaled
		{0, time.Hour, 5 * time.Minute, 6 * time.Hour, 30 * time.Minute},
	} {
		a := BurnAlerts(tc.period)
		if len(a) != 2 || a[0].Name != "page" || !a[0].Page || a[0].Burn != 14.4 || a[1].Name != "ticket" || a[1].Page || a[1].Burn != 6 {
			t.Fatalf("%v: alerts %+v", tc.period, a)
		}
		if a[0].Long != tc.pageLong || a[0].Short != tc.pageShort || a[1].Long != tc.tickLong || a[1].Short != tc.tickShort {
			t.Errorf("%v: page %v/%v ticket %v/%v, want %v/%v %v/%v", tc.period, a[0].Long, a[0].Short, a[1].Long, a[1].Short,
				tc.pageLong, tc.pageShort, tc.tickLong, tc.tickShort)
		}
	}
}

func TestBurnAlertFires(t *testing.T) {
	page := BurnAlert{Name: "page", Burn: 14.4, Page: true}
	w := func(issued, failed float64) BurnWindow { return BurnWindow{Issued: issued, Failed: failed} }
	for _, tc := range []struct {
		name        string
		budget      float64
		long, short BurnWindow
		rate        float64
		enough      bool
		fires       bool
	}{
		// 99.9 %: the threshold is an error ratio of 14.4 × 0.1 % = 1.44 %
		{"both over", 0.001, w(1000, 15), w(100, 2), 15, true, true},   // 1.5 % → 15×, 2 % → 20×
		{"long under", 0.001, w(1000, 14), w(100, 5), 14, true, false}, // 1.4 % → 14×
		{"short under", 0.001, w(1000, 20), w(100, 1), 10, true, false},
		// 60 requests < 1/0.0144 = 69.4: one failure is 1.67 %, over the threshold; not judged
		{"too few", 0.001, w(60, 1), w(5, 1), 16.667, false, false},
		{"just enough", 0.001, w(70, 2), w(5, 1), 28.571, true, true},
		// 99 %: 14.4 %; 1/(14.4 × 1 %) = 6.9 requests
		{"one percent", 0.01, w(25, 4), w(2, 1), 16, true, true},
		// 90 % allows 10 %: a burn of 10 at most, 14.4 is out of reach
		{"out of reach", 0.1, w(25, 25), w(2, 2), 10, true, false},
		{"no budget", 0, w(100, 100), w(10, 10), 0, false, false},
		{"empty", 0.01, w(0, 0), w(0, 0), 0, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, enough := page.Rate(tc.budget, tc.long, tc.short)
			if d := r - tc.rate; d > 0.001 || d < -0.001 || enough != tc.enough {
				t.Errorf("rate %.4f enough %v, want %.4f %v", r, enough, tc.rate, tc.enough)
			}
			if got := page.Fires(tc.budget, tc.long, tc.short); got != tc.fires {
				t.Errorf("fires %v, want %v", got, tc.fires)
			}
		})
	}
}

// countsOf builds counts at 1 s bins: issued[i], failed[i] in bin i.
func countsOf(issued, failed []int64) *BurnCounts {
	c := &BurnCounts{stepUS: 1_000_000}
	for i := range issued {
		c.Add(int64(i)*1_000_000+500_000, issued[i], failed[i])
	}
	return c
}

func TestBurnEvaluate(t *testing.T) {
	// 30 bins of 100 requests; half of them fail in bins 10–14.
	issued, failed := make([]int64, 30), make([]int64, 30)
	for i := range issued {
		issued[i] = 100
		if i >= 10 && i <= 14 {
			failed[i] = 50
		}
	}
	c := countsOf(issued, failed)
	// budget 10 %, burn 2: over 20 % in both windows. The 10 s window
	// ending at bin i overlaps the bad bins by k: 5k %, over 20 % for k = 5,
	// i in 14..19; the 2 s one holds 25 % per bad bin, over 20 % for i in
	// 10..15. Both: i = 14, 15, so it fires at the end of bin 14 (15 s)
	// and last holds at 16 s, 2 s in all; the peak is min(25 %, 50 %)/10 %
	// at i = 14.
	a := BurnAlert{Name: "page", Long: 10 * time.Second, Short: 2 * time.Second, Burn: 2, Page: true}
	o := a.evaluate(0.1, c, 0)
	if !o.Fired || *o.FirstS != 15 || *o.LastS != 16 || o.FiringS != 2 || o.Peak != 2.5 || !o.Judged || len(o.Firing) != 1 || o.Firing[0] != [2]float64{14, 16} {
		t.Errorf("outcome %+v first %v last %v", o, deref(o.FirstS), deref(o.LastS))
	}
	// A ticket at 3× (30 %) never fires: the long window holds 25 % at most.
	a.Burn, a.Page = 3, false
	if o := a.evaluate(0.1, c, 0); o.Fired || o.FirstS != nil || o.Peak != 2.5 {
		t.Errorf("3x: %+v", o)
	}
	// 99.9 % needs 70 requests in the long window: 10 bins of 5 are too few
	// however many fail.
	for i := range issued {
		issued[i], failed[i] = 5, min(failed[i], 5)
	}
	if o := (BurnAlert{Long: 10 * time.Second, Short: 2 * time.Second, Burn: 14.4}).evaluate(0.001, countsOf(issued, failed), 0); o.Fired || o.Judged {
		t.Errorf("too few requests: %+v", o)
	}
}

func deref(p *float64) float64 {
	if p == nil {
		return -1
	}
	return *p
}

func TestBurnCountsCoarsenAndMerge(t *testing.T) {
	// 1 request a millisecond for 10 s, every tenth failing: 10,000 ms
	// outgrows 4096 bins twice, so bins are 4 ms wide.
	all, a, b := NewBurnCounts(), NewBurnCounts(), NewBurnCounts()
	for ms := range int64(10_000) {
		var f int64
		if ms%10 == 0 {
			f = 1
		}
		all.Add(ms*1000, 1, f)
		if ms < 3000 { // a saw the start only, at a finer width
			a.Add(ms*1000, 1, f)
		} else {
			b.Add(ms*1000, 1, f)
		}
	}
	if all.stepUS != 4000 || len(all.bins) != 2500 {
		t.Fatalf("step %d µs, %d bins; want 4000, 2500", all.stepUS, len(all.bins))
	}
	a.merge(b)
	if a.stepUS != all.stepUS || len(a.bins) != len(all.bins) {
		t.Fatalf("merged step %d bins %d", a.stepUS, len(a.bins))
	}
	for i := range a.bins {
		if a.bins[i] != all.bins[i] {
			t.Fatalf("bin %d: %+v, want %+v", i, a.bins[i], all.bins[i])
		}
	}
	// the second ending with the bin holding 5.9995 s: bins 1250..1499,
	// 1,000 requests, 100 failed
	w := all.Window(5_999_500, time.Second)
	if w.Issued != 1000 || w.Failed != 100 || w.FromUS != 5_000_000 || w.ToUS != 6_000_000 {
		t.Errorf("window %+v", w)
	}
	// a window shorter than a bin is one bin
	if w := all.Window(0, time.Microsecond); w.Issued != 4 || w.FromUS != 0 || w.ToUS != 4000 {
		t.Errorf("sub-bin window %+v", w)
	}
}

func TestBurnText(t *testing.T) {
	first, last := 15.0, 16.0
	s := &Summary{SLO: Verdict{Burn: []BurnCheck{{Target: "mini", Objective: "availability", Text: "availability >= 99%", Budget: 0.01, Consumed: 0.35,
		ResolutionS: 0.008, Alerts: []BurnAlertOutcome{
			{Name: "page", Page: true, LongS: 1.25, ShortS: 0.104, Burn: 14.4, Fired: true, FirstS: &first, LastS: &last, FiringS: 1.2, Peak: 19.6, Judged: true},
			{Name: "ticket", LongS: 7.5, ShortS: 0.625, Burn: 6, Peak: 3.14, Judged: true},
		}}}}}
	var b strings.Builder
	writeBurn(&b, s, "")
	want := "[mini] availability >= 99%: budget 1.00% of requests, 35.00% spent\n" +
		"  page    burn > 14.4x over 1.25s and 104ms: FIRED 15s–16s (1.2s in all), peak 19.6x\n" +
		"  ticket  burn > 6x over 7.5s and 625ms: never, peak 3.1x\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if n := burnScaleNote(s); n != "1/2880 of the workbook's 1h/5m and 6h/30m; evaluated every 8ms" {
		t.Errorf("note %q", n)
	}
}
