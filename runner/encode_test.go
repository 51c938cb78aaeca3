package runner

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// fillRandom sets every field of the struct v points to, recursively, to
// a random value (zero about a third of the time, so omitempty is
// exercised both ways); strings mix ASCII, escapes, HTML, U+2028 and
// invalid UTF-8.
func fillRandom(rng *rand.Rand, v reflect.Value) {
	pieces := []string{"a", "doubao", "\"", "\\", "\n", "\t", "\x01", "<", ">", "&", "é", "\u2028", "\u2029", "\xff", "日本", "\x7f", " "}
	for i := range v.NumField() {
		f := v.Field(i)
		if rng.IntN(3) == 0 {
			continue
		}
		switch f.Kind() {
		case reflect.String:
			s := ""
			for range rng.IntN(6) + 1 {
				s += pieces[rng.IntN(len(pieces))]
			}
			f.SetString(s)
		case reflect.Int, reflect.Int64, reflect.Int32:
			f.SetInt(rng.Int64N(1<<40) - 1<<39)
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Float64:
			f.SetFloat([]float64{rng.Float64() * 10, 1e-7, 3e21, 123456789, 0.5, 1e20}[rng.IntN(6)])
		case reflect.Slice:
			n := rng.IntN(4) + 1
			s := reflect.MakeSlice(f.Type(), n, n)
			for j := range n {
				s.Index(j).SetInt(rng.Int64N(1 << 30))
			}
			f.Set(s)
		case reflect.Pointer:
			p := reflect.New(f.Type().Elem())
			fillRandom(rng, p.Elem())
			f.Set(p)
		default:
			panic("fillRandom: add a case for " + f.Kind().String())
		}
	}
}

// TestAppendResultMatchesMarshal: the hand-written encoder writes what
// json.Marshal writes for every field of Result. It also fails when a field
// is added to Result or Usage without teaching appendResult about it.
func TestAppendResultMatchesMarshal(t *testing.T) {
	if !resultEncodable {
		t.Fatalf("Result has %d fields and Usage %d; appendResult knows %d and %d: add the new fields to appendResult and update resultFields/usageFields",
			reflect.TypeFor[Result]().NumField(), reflect.TypeFor[Usage]().NumField(), resultFields, usageFields)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []Result{{}, {Type: "result", Status: StatusOK}}
	for range 2000 {
		var r Result
		fillRandom(rng, reflect.ValueOf(&r).Elem())
		cases = append(cases, r)
	}
	for i := range cases {
		want, err := json.Marshal(&cases[i])
		if err != nil {
			t.Fatal(err)
		}
		if got := appendResult(nil, &cases[i]); string(got) != string(want) {
			t.Fatalf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// FuzzAppendString: any string encodes as json.Marshal encodes it.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "<a href=\"x\">&</a>", "\u2028\u2029", "\xff\xfe", "tab\tnl\n\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); string(got) != string(want) {
			t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
		}
	})
}

// FuzzAppendFloat: any finite float encodes as json.Marshal encodes it.
func FuzzAppendFloat(f *testing.F) {
	for _, x := range []float64{0, 1, -1.5, 1e-7, 1e21, 123.456, math.SmallestNonzeroFloat64, math.MaxFloat64} {
		f.Add(x)
	}
	f.Fuzz(func(t *testing.T, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return
		}
		want, _ := json.Marshal(x)
		if got := appendFloat(nil, x); string(got) != string(want) {
			t.Fatalf("%v:\n got %s\nwant %s", x, got, want)
		}
	})
}

// BenchmarkEncodeResult: one record with 20 events, hand-written encoder vs
// encoding/json.
func BenchmarkEncodeResult(b *testing.B) {
	r := &Result{Type: "result", K: 123456, Target: "mini", Model: miniModel, Class: "chat", Stage: 1, IntendedUS: 1234567, SentUS: 1234600,
		LagUS: 33, Reused: true, WroteUS: 40, TTFBUS: 500, TTFTUS: 52000, TTFATUS: 52000, E2EUS: 450000, TokensPerEvent: 1.05,
		Status: StatusOK, HTTPStatus: 200, Finish: "stop", Usage: &Usage{PromptTokens: 64, CompletionTokens: 21}, MaxTokens: 64, ContentChars: 80}
	for i := range 20 {
		r.EventsUS = append(r.EventsUS, int64(52000+i*20000))
		r.EventChars = append(r.EventChars, 4)
	}
	b.Run("append", func(b *testing.B) {
		var buf []byte
		b.ReportAllocs()
		for b.Loop() {
			buf = appendResult(buf[:0], r)
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_, _ = json.Marshal(r)
		}
	})
}
