package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The files WriteAll writes into a run directory.
const (
	FileSummary    = "summary.json"
	FileRequests   = "requests.csv"
	FileTargets    = "targets.csv"
	FileTimeseries = "timeseries.csv"
	FileText       = "report.txt"
	FileMarkdown   = "report.md"
	FileHTML       = "report.html"
	DirPlots       = "plots"
)

// WriteAll reads the results files at paths once, streaming, and writes
// every output of the report into dir: summary.json, requests.csv,
// targets.csv, timeseries.csv, report.txt, report.md, report.html and the
// plots (PNG and SVG) under plots/. It returns the summary for the caller's
// terminal table and exit code (Summary.SLO.Pass).
func WriteAll(dir string, paths []string, opts Options) (*Summary, error) {
	s, err := writeRequests(dir, paths, opts)
	if err != nil {
		return nil, err
	}
	if err := WriteFiles(dir, s, opts); err != nil {
		return s, err
	}
	return s, nil
}

// writeRequests aggregates the results files while it writes
// requests.csv, the one output only a pass over the records can write. It
// writes into a temporary file that becomes requests.csv only when every
// record was read: results that cannot be read (an empty file, a bad
// header) leave nothing behind, not even the directory when it made it.
func writeRequests(dir string, paths []string, opts Options) (*Summary, error) {
	_, statErr := os.Stat(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, "."+FileRequests+".*")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Summary, error) {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		if statErr != nil {
			_ = os.Remove(dir) // only if empty: what was there stays
		}
		return nil, err
	}
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if _, err := io.WriteString(bw, requestsHeader); err != nil {
		return fail(fmt.Errorf("writing %s: %w", FileRequests, err))
	}
	s, err := aggregate(paths, opts, bw)
	if err != nil {
		return fail(err)
	}
	if err := errors.Join(bw.Flush(), tmp.Chmod(0o644), tmp.Close()); err != nil {
		return fail(fmt.Errorf("writing %s: %w", FileRequests, err))
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, FileRequests)); err != nil {
		return fail(err)
	}
	return s, nil
}

// WriteFiles writes every output derived from s into dir (all but
// requests.csv, which only a pass over the records can write).
func WriteFiles(dir string, s *Summary, opts Options) error {
	outs := []struct {
		name string
		fn   func(io.Writer, *Summary) error
	}{
		{FileSummary, WriteJSON},
		{FileTargets, WriteTargetsCSV},
		{FileTimeseries, WriteTimeseriesCSV},
		{FileText, WriteText},
		{FileMarkdown, WriteMarkdown},
	}
	for _, o := range outs {
		if err := writeFile(filepath.Join(dir, o.name), func(w io.Writer) error { return o.fn(w, s) }); err != nil {
			return err
		}
	}
	plots, err := renderPlots(dir, s, opts)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, FileHTML), func(w io.Writer) error { return WriteHTML(w, s, plots) }); err != nil {
		return err
	}
	if opts.JUnit != "" {
		if err := writeFile(opts.JUnit, func(w io.Writer) error { return WriteJUnit(w, s) }); err != nil {
			return err
		}
	}
	if opts.StepSummary != "" {
		f, err := os.OpenFile(opts.StepSummary, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("step summary: %w", err)
		}
		werr := WriteMarkdown(f, s)
		if err := errors.Join(werr, f.Close()); err != nil {
			return fmt.Errorf("step summary %s: %w", opts.StepSummary, err)
		}
	}
	return nil
}

// WriteJSON writes summary.json.
func WriteJSON(w io.Writer, s *Summary) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// writeFile writes path through a buffer, reporting the first error of
// writing, flushing or closing.
func writeFile(path string, fn func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	werr := fn(bw)
	if werr == nil {
		werr = bw.Flush()
	}
	if err := errors.Join(werr, f.Close()); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
