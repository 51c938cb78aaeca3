package scenarios

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Trace replay. A trace row says when a request arrived and how long its
// prompt and answer were; replaying it sends request j at the row's offset
// from the first row (divided by Speed, idle gaps capped at MaxGap), so
// schedule lag and drops are judged exactly as for any open-loop stage.

// parseMooncake reads the Mooncake trace: one JSON object a line,
//
//	{"timestamp": 27482, "input_length": 6955, "output_length": 52, "hash_ids": [46, 47, 48]}
//
// timestamp in milliseconds, hash_ids naming the prompt's blocks.
func parseMooncake(b []byte, limit int) ([]sourceRow, error) {
	var rows []sourceRow
	var first int64
	err := eachLine(b, func(line int, text []byte) error {
		if len(rows) >= limit {
			return io.EOF
		}
		var r struct {
			Timestamp    *float64 `json:"timestamp"`
			InputLength  *int     `json:"input_length"`
			OutputLength *int     `json:"output_length"`
			HashIDs      []int64  `json:"hash_ids"`
		}
		dec := json.NewDecoder(bytes.NewReader(text))
		if err := dec.Decode(&r); err != nil {
			return &sourceError{Line: line, Msg: "not a Mooncake trace row: " + jsonProblem(err)}
		}
		switch {
		case r.Timestamp == nil:
			return &sourceError{Line: line, Msg: "timestamp is missing"}
		case r.InputLength == nil:
			return &sourceError{Line: line, Msg: "input_length is missing"}
		case r.OutputLength == nil:
			return &sourceError{Line: line, Msg: "output_length is missing"}
		case *r.Timestamp < 0 || math.IsNaN(*r.Timestamp) || *r.Timestamp > 1e13:
			return &sourceError{Line: line, Msg: fmt.Sprintf("timestamp %v is not a time in milliseconds", *r.Timestamp)}
		case *r.InputLength < 1 || *r.InputLength > maxTraceTokens:
			return &sourceError{Line: line, Msg: fmt.Sprintf("input_length %d is outside 1..%d", *r.InputLength, maxTraceTokens)}
		case *r.OutputLength < 1 || *r.OutputLength > maxTraceTokens:
			return &sourceError{Line: line, Msg: fmt.Sprintf("output_length %d is outside 1..%d", *r.OutputLength, maxTraceTokens)}
		}
		at := int64(*r.Timestamp * 1000)
		if len(rows) == 0 {
			first = at
		} else if at < rows[len(rows)-1].at+first {
			return &sourceError{Line: line, Msg: fmt.Sprintf("timestamp %v is earlier than the row before it: a trace must be in time order", *r.Timestamp)}
		}
		rows = append(rows, sourceRow{at: at - first, input: *r.InputLength, output: *r.OutputLength, hashIDs: r.HashIDs})
		return nil
	})
	if err == io.EOF {
		err = nil
	}
	return rows, err
}

// maxTraceTokens bounds a row's lengths: nothing a 256K-context model can
// serve is longer, and a bound keeps a hostile row from sizing a buffer.
const maxTraceTokens = 1 << 20

// azureTimeLayout is the Azure LLM inference trace's timestamp,
// "2023-11-16 18:15:46.6805900" (fraction optional).
const azureTimeLayout = "2006-01-02 15:04:05.9999999"

// parseAzure reads the Azure LLM inference trace CSV: a header naming
// TIMESTAMP, ContextTokens and GeneratedTokens (in any order, other columns
// ignored), then one request a row.
func parseAzure(b []byte, limit int) ([]sourceRow, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, &sourceError{Line: 1, Msg: "no CSV header: " + err.Error()}
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, want := range []string{"TIMESTAMP", "ContextTokens", "GeneratedTokens"} {
		if _, ok := col[want]; !ok {
			return nil, &sourceError{Line: 1, Msg: fmt.Sprintf("the header has no %s column (an Azure trace has TIMESTAMP,ContextTokens,GeneratedTokens)", want)}
		}
	}
	var rows []sourceRow
	var first time.Time
	for len(rows) < limit {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			if pe, ok := err.(*csv.ParseError); ok {
				return nil, &sourceError{Line: pe.Line, Msg: pe.Err.Error()}
			}
			return nil, &sourceError{Line: line, Msg: err.Error()}
		}
		field := func(name string) (string, error) {
			i := col[name]
			if i >= len(rec) {
				return "", &sourceError{Line: line, Msg: fmt.Sprintf("%d fields, no %s", len(rec), name)}
			}
			return strings.TrimSpace(rec[i]), nil
		}
		ts, err := field("TIMESTAMP")
		if err != nil {
			return nil, err
		}
		t, perr := time.Parse(azureTimeLayout, ts)
		if perr != nil {
			return nil, &sourceError{Line: line, Msg: fmt.Sprintf("TIMESTAMP %q is not a time like 2023-11-16 18:15:46.6805900", ts)}
		}
		var n [2]int
		for i, name := range []string{"ContextTokens", "GeneratedTokens"} {
			s, err := field(name)
			if err != nil {
				return nil, err
			}
			v, perr := strconv.Atoi(s)
			if perr != nil || v < 1 || v > maxTraceTokens {
				return nil, &sourceError{Line: line, Msg: fmt.Sprintf("%s %q is not a token count in 1..%d", name, s, maxTraceTokens)}
			}
			n[i] = v
		}
		if len(rows) == 0 {
			first = t
		}
		at := t.Sub(first).Microseconds()
		if at < 0 || (len(rows) > 0 && at < rows[len(rows)-1].at) {
			return nil, &sourceError{Line: line, Msg: fmt.Sprintf("TIMESTAMP %s is earlier than the row before it: a trace must be in time order", ts)}
		}
		rows = append(rows, sourceRow{at: at, input: n[0], output: n[1]})
	}
	return rows, nil
}

// jsonProblem is an encoding/json error without its Go type names.
func jsonProblem(err error) string {
	switch e := err.(type) {
	case *json.SyntaxError:
		return fmt.Sprintf("%v (at byte %d)", e, e.Offset)
	case *json.UnmarshalTypeError:
		return fmt.Sprintf("%s has the wrong type: got JSON %s, want %s", e.Field, e.Value, e.Type)
	}
	return err.Error()
}

// traceTimes turns rows' offsets into intended send offsets: divided by
// speed, each gap capped at maxGap (0: no cap).
func traceTimes(rows []sourceRow, speed float64, maxGap time.Duration) []time.Duration {
	if speed <= 0 {
		speed = 1
	}
	out := make([]time.Duration, len(rows))
	var prevRaw int64
	var t time.Duration
	for i, r := range rows {
		gap := time.Duration(float64(r.at-prevRaw)*1000/speed) * time.Nanosecond
		if i == 0 {
			gap = 0
		}
		if maxGap > 0 && gap > maxGap {
			gap = maxGap
		}
		t += gap
		out[i] = t
		prevRaw = r.at
	}
	return out
}

// tracePacer replays fixed send times, each once per target (the source
// gives every target the same row, as it does for synthetic requests). It
// satisfies vegeta's Pacer.
type tracePacer struct {
	times   []time.Duration
	targets uint64
}

// Pace implements vegeta.Pacer: hit h is row h / targets.
func (p tracePacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	row := hits / p.targets
	if row >= uint64(len(p.times)) {
		return 0, true
	}
	return max(0, p.times[row]-elapsed), false
}

// Rate implements vegeta.Pacer: requests per second around elapsed,
// counted over the surrounding second of the trace.
func (p tracePacer) Rate(elapsed time.Duration) float64 {
	lo, _ := slices.BinarySearch(p.times, elapsed-500*time.Millisecond)
	hi, _ := slices.BinarySearch(p.times, elapsed+500*time.Millisecond)
	return float64(hi-lo) * float64(p.targets)
}
