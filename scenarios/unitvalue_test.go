package scenarios

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// units is a struct holding one of each typed value, as scenario fields
// hold them.
type units struct {
	R Rate     `yaml:"r" json:"r,omitzero"`
	D Duration `yaml:"d" json:"d,omitzero"`
	Q Ratio    `yaml:"q" json:"q,omitzero"`
}

// unitCase is one field's text and what it must read as: the number, or
// an error that quotes the text.
type unitCase struct {
	field, text string
	num         float64 // PerSec, seconds, or the fraction
	err         string  // "" for a value that parses
}

var unitCases = []unitCase{
	{"r", "20/s", 20, ""},
	{"r", "1200/m", 20, ""},
	{"r", " 0.5 / s ", 0.5, ""}, // spaces stay in the text
	{"r", "20", 0, `"20" is not a rate`},
	{"r", "0/s", 0, `"0/s" must be above zero`},
	{"r", "5/d", 0, `"5/d" has an unknown unit`},
	{"d", "30s", 30, ""},
	{"d", "2d", 172800, ""},
	{"d", "1h30m", 5400, ""},
	{"d", "0s", 0, `"0s" must be above zero`},
	{"d", "soon", 0, `"soon" is not a duration`},
	{"q", "3%", 0.03, ""},
	{"q", "0.25", 0.25, ""},
	{"q", "150%", 0, `"150%" is outside 0%..100%`},
	{"q", "most", 0, `"most" is not a fraction`},
}

// value is tc.s field in u: its text, number and error.
func (tc unitCase) value(u units) (text string, num float64, err error) {
	switch tc.field {
	case "r":
		return u.R.Text, u.R.PerSec, u.R.Err()
	case "d":
		return u.D.Text, u.D.D.Seconds(), u.D.Err()
	}
	return u.Q.Text, u.Q.Fraction, u.Q.Err()
}

// check holds the decoded u to tc: the text kept exactly, the number, and
// an error kept in the value that quotes the text.
func (tc unitCase) check(t *testing.T, how string, u units) {
	t.Helper()
	text, num, err := tc.value(u)
	if text != tc.text {
		t.Errorf("%s %s: %q: text %q", how, tc.field, tc.text, text)
	}
	switch {
	case tc.err == "" && err != nil:
		t.Errorf("%s %s: %q: %v", how, tc.field, tc.text, err)
	case tc.err == "" && num != tc.num:
		t.Errorf("%s %s: %q = %v, want %v", how, tc.field, tc.text, num, tc.num)
	case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
		t.Errorf("%s %s: %q: error %v, want %q", how, tc.field, tc.text, err, tc.err)
	}
}

// TestUnitYAML: the YAML decoder fills each typed value from its scalar
// once, keeps the text exactly and keeps a parse error inside the value
// (validation reports it, with every other problem) instead of failing.
func TestUnitYAML(t *testing.T) {
	for _, tc := range unitCases {
		src, _ := json.Marshal(map[string]string{tc.field: tc.text}) // JSON is YAML, quoting included
		var u units
		d := newDecoder("f.yaml", nil)
		d.decode(d.parseDocument(src), reflectValue(&u), "")
		if len(d.errs) > 0 {
			t.Errorf("%s: %q: decoder failed: %v", tc.field, tc.text, d.errs.err())
		}
		tc.check(t, "yaml", u)
	}
	for _, tc := range []struct{ src, err string }{
		{"r: [20/s]", "f.yaml:1:4: r: want text, got a list"},
		{"d: {a: 1}", "f.yaml:1:4: d: want text, got a mapping"},
		{"q: ${NOPE}", "f.yaml:1:4: q: ${NOPE} is not set"},
	} {
		var u units
		d := newDecoder("f.yaml", func(string) (string, bool) { return "", false })
		d.decode(d.parseDocument([]byte(tc.src)), reflectValue(&u), "")
		if err := d.errs.err(); err == nil || !strings.HasPrefix(err.Error(), tc.err) {
			t.Errorf("%q: error %v, want %q…", tc.src, err, tc.err)
		}
	}
	// A bare number is text too (and a rate needs its unit); null and an
	// empty string are a field not given.
	var u units
	d := newDecoder("f.yaml", nil)
	d.decode(d.parseDocument([]byte("r: 20\nd: ~\nq: ''\n")), reflectValue(&u), "")
	if len(d.errs) > 0 || u.R.Text != "20" || u.R.Err() == nil || !u.D.IsZero() || !u.Q.IsZero() || u.Q.Err() != nil {
		t.Errorf("got %+v, %v", u, d.errs.err())
	}
}

// TestUnitJSON: a results header's JSON decodes each typed value the same
// way, and writing it back gives the same bytes: the text as given, a
// value not given left out.
func TestUnitJSON(t *testing.T) {
	for _, tc := range unitCases {
		src, _ := json.Marshal(map[string]string{tc.field: tc.text})
		var u units
		if err := json.Unmarshal(src, &u); err != nil {
			t.Errorf("%s: %q: %v", tc.field, tc.text, err)
			continue
		}
		tc.check(t, "json", u)
		if back, _ := json.Marshal(u); string(back) != string(src) {
			t.Errorf("%s: round trip %s → %s", tc.field, src, back)
		}
	}
	for _, src := range []string{`{}`, `{"r":"","d":null}`} {
		var u units
		if err := json.Unmarshal([]byte(src), &u); err != nil || u != (units{}) {
			t.Errorf("%s: %+v, %v", src, u, err)
		}
		if back, _ := json.Marshal(u); string(back) != `{}` {
			t.Errorf("%s: a value not given is written as %s", src, back)
		}
	}
	// Not a string at all is the JSON's problem, not a value's.
	if err := json.Unmarshal([]byte(`{"r":20}`), &units{}); err == nil {
		t.Error("a number decoded as a rate")
	}
	// A field written without omitzero (a stage's duration) keeps "".
	if b, _ := json.Marshal(Stage{Kind: KindTrace}); string(b) != `{"kind":"trace","duration":""}` {
		t.Errorf("trace stage written as %s", b)
	}
}

// TestUnitOf: values the program sets are written as a scenario would
// write them, and read back as the same value.
func TestUnitOf(t *testing.T) {
	for _, tc := range []struct {
		got  any
		text string
	}{
		{RateOf(20), "20/s"},
		{RateOf(0.5), "30/m"},
		{DurationOf(90 * time.Second), "1m30s"},
		{DurationOf(5 * time.Minute), "5m0s"},
		{RatioOf(0.03), "3%"},
		{RatioOf(0.999), "99.9%"},
	} {
		b, _ := json.Marshal(tc.got)
		if want, _ := json.Marshal(tc.text); string(b) != string(want) {
			t.Errorf("%+v written as %s, want %s", tc.got, b, want)
		}
	}
	if r, _ := NewRate("30/m"); RateOf(0.5) != r {
		t.Errorf("RateOf(0.5) = %+v, reading 30/m gives %+v", RateOf(0.5), r)
	}
	if RatioOf(defaultGuardBand).Fraction != defaultGuardBand {
		t.Errorf("default guard band reads back as %v", RatioOf(defaultGuardBand).Fraction)
	}
	// A zero warmup parses (it means none) but is not a positive duration.
	w, err := NewDuration("0s")
	if err == nil || w.errAllowZero() != nil || w.D != 0 || w.Text != "0s" {
		t.Errorf("0s: %+v, %v", w, err)
	}
}

// FuzzUnitText: no text makes a typed value panic; every text is kept
// exactly, in the value and through a JSON round trip (of valid UTF-8); a text that parses
// has the number its parser gives, one that does not keeps that parser's
// error.
func FuzzUnitText(f *testing.F) {
	for _, tc := range unitCases {
		f.Add(tc.text)
	}
	f.Add("")
	f.Add("1e400/s")
	f.Add("9999999999w")
	f.Add("\xff%")
	f.Fuzz(func(t *testing.T, text string) {
		var u units
		for _, v := range []interface{ UnmarshalText([]byte) error }{&u.R, &u.D, &u.Q} {
			if err := v.UnmarshalText([]byte(text)); err != nil {
				t.Fatalf("%q: UnmarshalText returned %v (errors stay in the value)", text, err)
			}
		}
		if u.R.Text != text || u.D.Text != text || u.Q.Text != text {
			t.Fatalf("%q: texts %q %q %q", text, u.R.Text, u.D.Text, u.Q.Text)
		}
		if text != "" {
			r, rerr := ParseRate(text)
			d, derr := ParseDuration(text)
			q, qerr := ParseRatio(text)
			if u.R.PerSec != r || errText(u.R.Err()) != errText(rerr) ||
				u.D.Err() == nil && u.D.D != d || errText(u.D.Err()) != errText(derr) ||
				u.Q.Fraction != q || errText(u.Q.Err()) != errText(qerr) {
				t.Fatalf("%q: %+v disagrees with the parsers (%v %v, %v %v, %v %v)", text, u, r, rerr, d, derr, q, qerr)
			}
		}
		b, err := json.Marshal(u)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		var back units
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%q: %s does not read back: %v", text, b, err)
		}
		// JSON writes invalid UTF-8 as U+FFFD, as it does any string.
		if b2, _ := json.Marshal(back); utf8.ValidString(text) && string(b2) != string(b) {
			t.Fatalf("%q: round trip %s → %s", text, b, b2)
		}
	})
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// oldHeader is a resolved scenario as results files have carried it since
// before the values were typed: every rate, duration and ratio a string.
const oldHeader = `{"name":"old","targets":[{"name":"mini","model":"doubao-seed-2.0-mini"}],` +
	`"mix":[{"name":"chat","weight":1,"prompt_tokens":{"dist":"fixed","value":9000},"output_tokens":{"dist":"fixed","value":64}}],` +
	`"prefix":[{"name":"sys","groups":2,"tokens":1200,"share":"50%","mode":"context_api","ttl":"2h"}],` +
	`"load":{"seed":3,"max_in_flight":8,"timeout":"1m","warmup":"30s","stages":[` +
	`{"kind":"ramp","from":"30/m","to":"2/s","duration":"1m"},` +
	`{"kind":"sine","mean":"2/s","amplitude":"1/s","period":"20s","phase":"peak","duration":"40s"}]},` +
	`"guard_band":"4%"}`

// TestUnitOldHeader: an old results header still reads, every value
// parsed where it is decoded, and writes back byte for byte.
func TestUnitOldHeader(t *testing.T) {
	s, err := FromJSON([]byte(oldHeader), nil)
	if err != nil {
		t.Fatal(err)
	}
	l := s.Load
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"share", s.Prefix[0].Share.Fraction, 0.5},
		{"ttl", s.Prefix[0].TTL.D.Hours(), 2},
		{"timeout", l.Timeout.D.Seconds(), 60},
		{"warmup", l.Warmup.D.Seconds(), 30},
		{"from", l.Stages[0].From.PerSec, 0.5},
		{"to", l.Stages[0].To.PerSec, 2},
		{"period", l.Stages[1].Period.D.Seconds(), 20},
		{"guard_band", s.GuardBand.Fraction, 0.04},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if b, _ := json.Marshal(s); string(b) != oldHeader {
		t.Errorf("written back as\n%s\nwant\n%s", b, oldHeader)
	}
	// A value that does not parse fails validation, at its field, not the
	// JSON decode.
	_, err = FromJSON([]byte(strings.Replace(oldHeader, `"to":"2/s"`, `"to":"2"`, 1)), nil)
	if err == nil || !strings.Contains(err.Error(), `load.stages[0].to: "2" is not a rate`) {
		t.Errorf("bad rate: %v", err)
	}
}
