package scenarios

import (
	"bufio"
	"strconv"

	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/seedbench/seedbench/runner"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// FileSource takes requests from a file instead of the synthetic mix:
// either a dataset of prompts (Dataset) sampled with the seed under any load
// shape, or a trace of timestamped requests (Trace) replayed at the times it
// says. Exactly one of the two is set.
type FileSource struct {
	// Dataset is a JSONL file of prompts: the OpenAI messages shape
	// ({"messages": [...]}) or ShareGPT's ({"conversations": [{"from":
	// "human", "value": …}, …]}), whose first human turn is the prompt.
	Dataset string `yaml:"dataset" json:"dataset,omitempty"`
	// Trace is a file of timestamped requests: the Mooncake trace (JSONL of
	// timestamp in ms, input_length, output_length, hash_ids) or the Azure
	// LLM inference trace (CSV of TIMESTAMP, ContextTokens,
	// GeneratedTokens).
	Trace string `yaml:"trace" json:"trace,omitempty"`
	// Format is openai or sharegpt for a dataset, mooncake or azure for a
	// trace; empty guesses from the first line.
	Format string `yaml:"format" json:"format,omitempty"`

	// Speed divides the trace's gaps: 2 replays it twice as fast.
	Speed float64 `yaml:"speed" json:"speed,omitempty"`
	// MaxGap caps each idle gap between consecutive trace requests (after
	// Speed), e.g. "5s".
	MaxGap Duration `yaml:"max_gap" json:"max_gap,omitzero"`
	// Limit takes only the first Limit rows of the file (0: all).
	Limit int `yaml:"limit" json:"limit,omitempty"`
	// BlockTokens is the size of one Mooncake hash block (default 512): a
	// hash id stands for that many tokens of text, the same text wherever
	// the id appears.
	BlockTokens int `yaml:"block_tokens" json:"block_tokens,omitempty"`

	// MinTokens and MaxTokens keep dataset prompts whose estimated length
	// (server tokens, after calibration) is within them (0: no bound).
	MinTokens int `yaml:"min_tokens" json:"min_tokens,omitempty"`
	MaxTokens int `yaml:"max_tokens" json:"max_tokens,omitempty"`
	// OutputTokens is max_tokens for dataset rows that give no expected
	// output length (default 256).
	OutputTokens int `yaml:"output_tokens" json:"output_tokens,omitempty"`
}

// IsZero reports an absent source block.
func (f FileSource) IsZero() bool { return f.Dataset == "" && f.Trace == "" }

// Source formats.
const (
	FormatOpenAI   = "openai"
	FormatShareGPT = "sharegpt"
	FormatMooncake = "mooncake"
	FormatAzure    = "azure"
)

// Bounds on what a source file may hold, so a huge or hostile file is
// refused with a message instead of exhausting memory.
const (
	maxSourceFileBytes = 256 << 20
	maxSourceRows      = 2_000_000
	maxSourceLineBytes = 16 << 20
	defaultBlockTokens = 512
	defaultDatasetOut  = 256
)

// sourceRow is one request a file describes. A trace row has at (its
// offset from the first row), input and output lengths and, for Mooncake,
// hash ids; a dataset row has its messages as JSON and the prompt's text
// estimate.
type sourceRow struct {
	at       int64 // µs from the first row (traces)
	input    int   // prompt tokens: the trace's count, or the dataset's estimate (server tokens)
	output   int   // max_tokens; 0 = the source's default
	hashIDs  []int64
	messages []byte // dataset: the JSON array of messages, sent as is
	extra    []byte // dataset: `,"tools":…` and the like, appended to the body
	// A ShareGPT row's whole conversation, for sessions: per human turn,
	// its message(s) (the first turn with the system turns before it), its
	// estimated tokens and the estimated length of the reply after it.
	turns []sourceTurn
}

// sourceTurn is one human turn of a ShareGPT conversation.
type sourceTurn struct {
	messages      []byte // comma-separated JSON message objects
	input, output int
}

// fileRows is a loaded source file.
type fileRows struct {
	kind   string // "trace" or "dataset"
	format string
	path   string
	sha256 string
	rows   []sourceRow
}

// builtinPrefix marks a source file embedded with the built-in scenarios.
const builtinPrefix = "builtin:"

// resolve makes a relative file name relative to base: a directory, or
// builtinPrefix for the built-in scenarios' embedded files.
func (f *FileSource) resolve(base string) {
	for _, p := range []*string{&f.Dataset, &f.Trace} {
		if *p == "" || filepath.IsAbs(*p) || strings.HasPrefix(*p, builtinPrefix) {
			continue
		}
		if base == builtinPrefix {
			*p = builtinPrefix + filepath.ToSlash(*p)
		} else {
			*p = filepath.Join(base, *p)
		}
	}
}

// openSourceFile reads a resolved source file whole, refusing one over
// maxSourceFileBytes.
func openSourceFile(p string) ([]byte, string, error) {
	if name, ok := strings.CutPrefix(p, builtinPrefix); ok {
		b, err := fs.ReadFile(builtinFS, path.Join("builtin", name))
		return b, p, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, p, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSourceFileBytes+1))
	if err != nil {
		return nil, p, err
	}
	if len(b) > maxSourceFileBytes {
		return nil, p, fmt.Errorf("the file is over %d MiB, the limit for a source file", maxSourceFileBytes>>20)
	}
	return b, p, nil
}

// sourceError is FILE:LINE: message, the position of a bad line.
type sourceError struct {
	File string
	Line int
	Msg  string
}

func (e *sourceError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// eachLine calls fn with every non-blank line of b and its 1-based number,
// stopping at the first error.
func eachLine(b []byte, fn func(line int, text []byte) error) error {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), maxSourceLineBytes)
	n := 0
	for sc.Scan() {
		n++
		t := bytes.TrimSpace(sc.Bytes())
		if len(t) == 0 {
			continue
		}
		if err := fn(n, t); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %v (lines may be at most %d MiB)", n+1, err, maxSourceLineBytes>>20)
	}
	return nil
}

// loadFileSource reads and parses the scenario's source file. The plan
// hash covers the file's SHA-256, so shards given different files disagree.
func loadFileSource(s *Scenario) (*fileRows, error) {
	f := s.Source
	name, kind := f.Dataset, "dataset"
	if f.Trace != "" {
		name, kind = f.Trace, "trace"
	}
	b, file, err := openSourceFile(name)
	if err != nil {
		return nil, fmt.Errorf("source.%s: %w", kind, err)
	}
	sum := sha256.Sum256(b)
	fr := &fileRows{kind: kind, path: file, sha256: hex.EncodeToString(sum[:]), format: f.Format}
	if fr.format == "" {
		fr.format = guessFormat(kind, b)
	}
	limit := f.Limit
	if limit <= 0 || limit > maxSourceRows {
		limit = maxSourceRows
	}
	switch fr.format {
	case FormatMooncake:
		fr.rows, err = parseMooncake(b, limit)
	case FormatAzure:
		fr.rows, err = parseAzure(b, limit)
	case FormatOpenAI, FormatShareGPT:
		fr.rows, err = parseDataset(b, fr.format, limit, s.Tokenizer)
	default:
		err = fmt.Errorf("format %q is not one of %s", fr.format, strings.Join(formatsOf(kind), ", "))
	}
	if se, ok := err.(*sourceError); ok {
		se.File = file // the parsers know the line, not the file
		return nil, se
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if len(fr.rows) == 0 {
		return nil, fmt.Errorf("%s: no %s rows", file, kind)
	}
	return fr, nil
}

func formatsOf(kind string) []string {
	if kind == "trace" {
		return []string{FormatMooncake, FormatAzure}
	}
	return []string{FormatOpenAI, FormatShareGPT}
}

// guessFormat looks at the first non-blank line: a CSV header names the
// Azure trace; a JSON object with hash_ids or input_length is Mooncake's;
// one with conversations is ShareGPT's; anything else is taken as the
// OpenAI shape (and its parser says what is wrong).
func guessFormat(kind string, b []byte) string {
	first := b
	for len(first) > 0 {
		line, rest, _ := bytes.Cut(first, []byte("\n"))
		if len(bytes.TrimSpace(line)) > 0 {
			first = line
			break
		}
		first = rest
	}
	switch {
	case kind == "trace" && bytes.Contains(first, []byte("TIMESTAMP")):
		return FormatAzure
	case kind == "trace":
		return FormatMooncake
	case bytes.Contains(first, []byte(`"conversations"`)):
		return FormatShareGPT
	}
	return FormatOpenAI
}

// validateSource checks the source block's fields (the file itself is read
// when the plan is built).
func (s *Scenario) validateSource(d *decoder) {
	f := s.Source
	kind := "dataset"
	switch {
	case f.Dataset != "" && f.Trace != "":
		d.fail("source", "give dataset or trace, not both")
		return
	case f.Trace != "":
		kind = "trace"
	}
	if f.Format != "" && !slices.Contains(formatsOf(kind), f.Format) {
		d.fail("source.format", "%q is not a %s format (one of %s)", f.Format, kind, strings.Join(formatsOf(kind), ", "))
	}
	if f.Speed < 0 {
		d.fail("source.speed", "%g cannot be negative (2 replays twice as fast)", f.Speed)
	}
	if err := f.MaxGap.Err(); err != nil {
		d.fail("source.max_gap", "%v", err)
	}
	if f.Limit < 0 {
		d.fail("source.limit", "cannot be negative (0 takes every row)")
	}
	if f.BlockTokens < 0 || f.BlockTokens > 1<<16 {
		d.fail("source.block_tokens", "%d is outside 1..65536 (Mooncake's blocks are 512 tokens)", f.BlockTokens)
	}
	if f.MinTokens < 0 || f.MaxTokens < 0 || (f.MaxTokens > 0 && f.MinTokens > f.MaxTokens) {
		d.fail("source.min_tokens", "min_tokens %d and max_tokens %d do not make a range", f.MinTokens, f.MaxTokens)
	}
	if f.OutputTokens < 0 || f.OutputTokens > maxTraceTokens {
		d.fail("source.output_tokens", "%d is outside 1..%d", f.OutputTokens, maxTraceTokens)
	}
	traceOnly := f.Speed != 0 || !f.MaxGap.IsZero() || f.BlockTokens != 0
	datasetOnly := f.MinTokens != 0 || f.MaxTokens != 0 || f.OutputTokens != 0
	if kind == "dataset" && traceOnly {
		d.fail("source", "speed, max_gap and block_tokens are for a trace source")
	}
	if kind == "trace" && datasetOnly {
		d.fail("source", "min_tokens, max_tokens and output_tokens are for a dataset source")
	}
	if kind == "dataset" {
		for i, st := range s.Load.Stages {
			if stageKinds[st.Kind].replay {
				d.fail(fmt.Sprintf("load.stages[%d].kind", i), "a trace stage needs source.trace; a dataset goes with any other stage")
			}
		}
	}
}

// tagBlock seeds a Mooncake block's text; tagRow a dataset row's pick.
const (
	tagBlock = 0x5ea0_0010
	tagRow   = 0x5ea0_0011
)

// fileSource is the part of a Source that serves requests from a file.
type fileSource struct {
	*fileRows
	blockTokens int
	defaultOut  int
	maxOut      int // the smallest output cap of the targets
	ctx         int // the smallest context window of the targets
}

// rowFor is the row request pair j uses: row j of a trace (its replay
// order), or a row drawn with the seed from a dataset.
func (src *Source) rowFor(j int64) (int, *sourceRow) {
	rows := src.file.rows
	i := int(j % int64(len(rows)))
	if src.file.kind == "dataset" {
		r := newStream(src.seed, uint64(j), tagRow)
		i = r.intn(len(rows))
	}
	return i, &rows[i]
}

// buildFromFile makes request k from the file: every target of pair j
// gets the same row, as for synthetic requests.
func (src *Source) buildFromFile(k int64, withBody bool) runner.Request {
	n := int64(len(src.targets))
	j := k / n
	ti := int((k%n + j) % n)
	t := &src.targets[ti]
	f := src.file
	_, row := src.rowFor(j)
	out := f.maxTokens(row)
	r := runner.Request{
		K: k, Target: ti, Class: f.kind, MaxTokens: out,
		EstPromptTokens: row.input,
		Tier:            t.model.TierFor(row.input).Name,
	}
	if !withBody {
		return r
	}
	b := make([]byte, 0, len(t.head)+64+len(row.messages)+len(row.extra)+src.file.textBytes(row))
	b = append(b, t.head...)
	b = append(b, `,"max_tokens":`...)
	b = strconv.AppendInt(b, int64(out), 10)
	b = append(b, `,"messages":`...)
	if row.messages != nil {
		b = append(b, row.messages...)
		b = append(b, row.extra...)
		r.Body = append(b, '}')
		return r
	}
	b = append(b, `[{"role":"user","content":"`...)
	b = src.appendTraceText(b, k, row)
	r.Body = append(b, `"}]}`...)
	return r
}

// maxTokens is a row's max_tokens: its expected output, or the source's
// default, cut to what the targets can give (the prompt is the file's, so
// a row longer than a target's limits gets a shorter answer).
func (f *fileSource) maxTokens(row *sourceRow) int {
	out := row.output
	if out <= 0 {
		out = f.defaultOut
	}
	return max(1, min(out, f.maxOut, f.ctx-row.input))
}

// textBytes is about how long a trace row's text is (a capacity hint).
func (f *fileSource) textBytes(row *sourceRow) int {
	if row.messages != nil {
		return 0
	}
	return row.input*6 + 64
}

// appendTraceText writes a trace row's prompt. A Mooncake row is its
// blocks in order: block id h is a marker unique to (seed, nonce, h) and
// then corpus text from a place drawn from the same, so two rows that share
// their first hash ids share exactly that prefix and differ right after it
// (the last block may be partial: the row's input_length decides). A row
// without hash ids (the Azure trace) is a salted prompt of its length,
// sharing nothing.
func (src *Source) appendTraceText(b []byte, k int64, row *sourceRow) []byte {
	c := src.corpus
	total := src.cal.FromServer(row.input)
	if len(row.hashIDs) == 0 {
		b = src.appendSalt(b, k)
		r := newStream(src.seed^src.nonce, uint64(k), tagBlock)
		return c.appendUnits(b, r.intn(corpusUnits), max(1, total-saltTokens))
	}
	per := max(1, int(float64(src.file.blockTokens)/src.cal.ratio()+0.5))
	left := total
	for _, h := range row.hashIDs {
		if left <= 0 {
			break
		}
		units := min(per, left)
		r := newStream(src.seed^src.nonce, uint64(h), tagBlock)
		x := r.next()
		// A line break first, so the marker never joins the previous
		// block's last word into one token.
		b = append(b, `\n\nBlock `...)
		for range 12 {
			b = append(b, byte('a'+x%26))
			x /= 26
		}
		b = append(b, '.')
		b = c.appendUnits(b, r.intn(corpusUnits), max(1, units-saltTokens))
		left -= units
	}
	if left > 0 {
		// More input than blocks: the rest is this request's own text.
		b = src.appendSalt(b, k)
		r := newStream(src.seed^src.nonce, uint64(k), tagBlock)
		b = c.appendUnits(b, r.intn(corpusUnits), max(1, left-saltTokens))
	}
	return b
}

// attachFile loads the scenario's source file into src (rows filtered by
// the dataset's token range) and returns the trace's send times when it is
// a trace.
func (src *Source) attachFile(s *Scenario, res *resolution) error {
	fr, err := loadFileSource(s)
	if err != nil {
		return err
	}
	f := s.Source
	if fr.kind == "dataset" && (f.MinTokens > 0 || f.MaxTokens > 0) {
		kept := fr.rows[:0]
		for _, r := range fr.rows {
			if r.input >= f.MinTokens && (f.MaxTokens == 0 || r.input <= f.MaxTokens) {
				kept = append(kept, r)
			}
		}
		if len(kept) == 0 {
			return fmt.Errorf("%s: no row has a prompt of %d..%d tokens", fr.path, f.MinTokens, f.MaxTokens)
		}
		fr.rows = kept
	}
	fs := &fileSource{fileRows: fr, blockTokens: f.BlockTokens, defaultOut: f.OutputTokens, maxOut: res.maxOut, ctx: res.ctx}
	if fs.blockTokens == 0 {
		fs.blockTokens = defaultBlockTokens
	}
	if fs.defaultOut == 0 {
		fs.defaultOut = defaultDatasetOut
	}
	for i, r := range fr.rows {
		if r.input >= res.ctx {
			return &sourceError{File: fr.path, Line: 0, Msg: fmt.Sprintf("row %d has a %d-token prompt, more than the %d-token context window", i+1, r.input, res.ctx)}
		}
	}
	src.file = fs
	return nil
}
