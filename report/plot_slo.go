package report

import (
	"strconv"
	"time"

	"github.com/seedbench/seedbench/report/plot"
)

// sloLanes is the chart of the SLO over time: a lane per windowed
// objective and target, each window green (held), red (failed) or grey
// (nothing to judge), and a lane per burn condition with an error budget,
// red where the page condition held, orange where the ticket did.
func sloLanes(s *Summary) (*plot.Figure, error) {
	var lanes []plot.Lane
	end := 0.0
	for _, c := range s.SLO.Windows {
		l := plot.Lane{Label: "[" + c.Target + "] " + c.Objective + "@" + shortDur(time.Duration(c.Window*float64(time.Second))) + " windows"}
		for _, w := range c.Windows {
			st := plot.SpanEmpty
			switch {
			case w.Measured == nil:
			case w.Pass:
				st = plot.SpanPass
			default:
				st = plot.SpanFail
			}
			l.Spans = append(l.Spans, plot.Span{From: w.Start, To: w.Start + c.Window, State: st})
			end = max(end, w.Start+c.Window)
		}
		lanes = append(lanes, l)
	}
	for _, b := range s.SLO.Burn {
		for _, a := range b.Alerts {
			if a.Impossible {
				continue // nothing to draw: it cannot fire
			}
			l := plot.Lane{Label: "[" + b.Target + "] " + b.Objective + " " + a.Name + " > " + fmtBurn(a.Burn) + "x",
				Spans: []plot.Span{{From: b.FromS, To: b.ToS, State: plot.SpanQuiet}}}
			end = max(end, b.ToS)
			st := plot.SpanTicket
			if a.Page {
				st = plot.SpanPage
			}
			for _, f := range a.Firing {
				l.Spans = append(l.Spans, plot.Span{From: f[0], To: f[1], State: st})
			}
			lanes = append(lanes, l)
		}
	}
	return plot.Lanes("SLO over time: windows and error budget burn", lanes, end)
}

func fmtBurn(b float64) string { return strconv.FormatFloat(b, 'g', -1, 64) }
