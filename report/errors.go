package report

import (
	"sort"
	"strconv"
	"strings"

	"github.com/seedbench/seedbench/runner"
)

// ErrorRow is one line of a target's error table: the requests that failed
// the same way (class, HTTP status, the gateway's own error code), how many,
// and one example message (the one of the lowest k, so the table does not
// depend on the order shards are read in). Messages were scrubbed of
// secrets when recorded.
type ErrorRow struct {
	Class      string `json:"class"`
	HTTPStatus int    `json:"http_status,omitempty"`
	Code       string `json:"error_code,omitempty"`
	Count      int64  `json:"count"`
	Example    string `json:"example,omitempty"`
	ExampleK   int64  `json:"example_k"`
}

type errorKey struct {
	class  string
	status int
	code   string
}

type errorAcc struct {
	count   int64
	k       int64
	example string
}

// errorTable accumulates a target's failed and dropped requests by
// errorKey.
type errorTable map[errorKey]*errorAcc

func (e errorTable) add(r *runner.Result) {
	class := r.ErrorClass
	if class == "" {
		class = runner.ClassOther
	}
	key := errorKey{class: class, status: r.HTTPStatus, code: r.ErrorCode}
	a := e[key]
	if a == nil {
		// Clone: the caller reuses r and its strings.
		e[key] = &errorAcc{count: 1, k: r.K, example: strings.Clone(r.Error)}
		return
	}
	a.count++
	if r.K < a.k {
		a.k, a.example = r.K, strings.Clone(r.Error)
	}
}

func (e errorTable) merge(o errorTable) {
	for key, oa := range o {
		a := e[key]
		if a == nil {
			e[key] = &errorAcc{count: oa.count, k: oa.k, example: oa.example}
			continue
		}
		a.count += oa.count
		if oa.k < a.k {
			a.k, a.example = oa.k, oa.example
		}
	}
}

// rows are the table's lines, most frequent first.
func (e errorTable) rows() []ErrorRow {
	out := make([]ErrorRow, 0, len(e))
	for key, a := range e {
		out = append(out, ErrorRow{Class: key.class, HTTPStatus: key.status, Code: key.code, Count: a.count, Example: a.example, ExampleK: a.k})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Class != b.Class {
			return a.Class < b.Class
		}
		if a.HTTPStatus != b.HTTPStatus {
			return a.HTTPStatus < b.HTTPStatus
		}
		return a.Code < b.Code
	})
	return out
}

// statusText is an error row's HTTP status for the tables ("—" for none).
func statusText(code int) string {
	if code == 0 {
		return "—"
	}
	return strconv.Itoa(code)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// oneLine is a message on one line, cut to n runes for a table cell.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
