package report

import (
	"fmt"
	"sort"
	"strings"
)

// quotaView is one target's throttling and quota headroom, in the cells
// every format shows: text, Markdown and HTML render the same note and
// table, so the three cannot drift apart.
type quotaView struct {
	Target string
	// Note says how many requests were throttled (apart from the latency
	// failures) and the least headroom any response showed.
	Note string
	// Header and Rows are the headroom over time: per span of send time,
	// the least left of each limit and the requests throttled. Empty when
	// no response carried x-ratelimit-* headers.
	Header []string
	Rows   [][]string
}

// quotaViews is a view per target that has a quota summary.
func quotaViews(s *Summary) []quotaView {
	var out []quotaView
	for _, t := range s.Targets {
		if t.Quota == nil {
			continue
		}
		h, rows := headroomTable(t.Quota)
		out = append(out, quotaView{Target: t.Name, Note: quotaNote(t.Name, t.All.Issued, t.Quota), Header: h, Rows: rows})
	}
	return out
}

// quotaNote is the one-line account of a target's throttling.
func quotaNote(target string, issued int64, q *QuotaSummary) string {
	classes := make([]string, 0, len(q.ThrottledClasses))
	for c := range q.ThrottledClasses {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	parts := make([]string, len(classes))
	for i, c := range classes {
		parts[i] = c + " " + itoa(q.ThrottledClasses[c])
	}
	line := fmt.Sprintf("quota %s: throttled %d of %d issued requests", target, q.Throttled, issued)
	if len(parts) > 0 {
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	line += ", apart from the latency failures above"
	if q.Responses > 0 {
		var left []string
		if q.LimitRequests > 0 {
			left = append(left, fmt.Sprintf("requests %d of %d per minute", q.MinRemainingRequests, q.LimitRequests))
		}
		if q.LimitTokens > 0 {
			left = append(left, fmt.Sprintf("tokens %d of %d per minute", q.MinRemainingTokens, q.LimitTokens))
		}
		line += fmt.Sprintf("; headroom (least left, from x-ratelimit headers on %d responses): %s", q.Responses, strings.Join(left, ", "))
	}
	return line
}

// headroomTable is the quota headroom over time as header and rows; a
// span with no response shows "-" for what is left.
func headroomTable(q *QuotaSummary) (header []string, rows [][]string) {
	if len(q.Headroom) == 0 {
		return nil, nil
	}
	header = []string{"from", "to", "responses"}
	if q.LimitRequests > 0 {
		header = append(header, fmt.Sprintf("requests left (of %d)", q.LimitRequests))
	}
	if q.LimitTokens > 0 {
		header = append(header, fmt.Sprintf("tokens left (of %d)", q.LimitTokens))
	}
	header = append(header, "throttled")
	for _, p := range q.Headroom {
		left := func(v int64) string {
			if p.Responses == 0 {
				return "-"
			}
			return itoa(v)
		}
		r := []string{fmt.Sprintf("%gs", p.StartS), fmt.Sprintf("%gs", p.StartS+p.Seconds), itoa(p.Responses)}
		if q.LimitRequests > 0 {
			r = append(r, left(p.MinRemainingRequests))
		}
		if q.LimitTokens > 0 {
			r = append(r, left(p.MinRemainingTokens))
		}
		rows = append(rows, append(r, itoa(p.Throttled)))
	}
	return header, rows
}
