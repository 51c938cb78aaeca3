package report

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/runner"
)

// TestCSVFieldNeutralisesFormulas: a server-chosen finish_reason or error
// message cannot become a spreadsheet formula, and every cell still reads
// back as one field.
func TestCSVFieldNeutralisesFormulas(t *testing.T) {
	tests := []struct{ in, want string }{
		{"stop", "stop"},
		{"a,b", `"a,b"`},
		{`say "hi"`, `"say ""hi"""`},
		{`=HYPERLINK("http://x.example","click")`, `"'=HYPERLINK(""http://x.example"",""click"")"`},
		{"+1+1", `"'+1+1"`},
		{"-2+3", `"'-2+3"`},
		{"@SUM(A1)", `"'@SUM(A1)"`},
		{"\t=1", "\"'\t=1\""},
		{"\r=1", "\"'\r=1\""},
		{"x=1", "x=1"}, // only a leading character makes a formula
		{"", ""},
	}
	for _, tt := range tests {
		got := string(appendCSVField(nil, tt.in))
		if got != tt.want {
			t.Errorf("%q: got %s, want %s", tt.in, got, tt.want)
		}
		if tt.in == "" {
			continue // an empty line is no record to encoding/csv
		}
		rec, err := csv.NewReader(strings.NewReader(got + "\n")).Read()
		if err != nil || len(rec) != 1 {
			t.Errorf("%q: %s does not read back as one field: %v %q", tt.in, got, err, rec)
		}
	}
}

func BenchmarkCSVField(b *testing.B) {
	var buf []byte
	b.ReportAllocs()
	for range b.N {
		buf = appendCSVField(buf[:0], "=cmd|' /C calc'!A0")
	}
}

// TestRequestRowNeutralisesServerStrings: a hostile finish_reason and error
// reach requests.csv as text; the tool's own negative numbers stay numbers.
func TestRequestRowNeutralisesServerStrings(t *testing.T) {
	r := &runner.Result{K: 7, Target: "mini", Status: runner.StatusError, Finish: `=HYPERLINK("http://x.example")`,
		Error: "+cmd|' /C calc'!A0", IntendedUS: 5000, SentUS: 4000, LagUS: -1000}
	rec, err := csv.NewReader(strings.NewReader(requestsHeader + string(appendRequestRow(nil, r, billing{})))).ReadAll()
	if err != nil || len(rec) != 2 {
		t.Fatalf("%v %q", err, rec)
	}
	row := map[string]string{}
	for i, name := range rec[0] {
		row[name] = rec[1][i]
	}
	if row["finish_reason"] != `'=HYPERLINK("http://x.example")` || row["error"] != "'+cmd|' /C calc'!A0" || row["lag_ms"] != "-1.000" {
		t.Errorf("finish_reason %q, error %q, lag_ms %q", row["finish_reason"], row["error"], row["lag_ms"])
	}
}
