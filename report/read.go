package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/seedbench/seedbench/runner"
)

// The reading pipeline: one goroutine cuts the files into blocks of whole
// lines, workers decode and aggregate blocks in parallel (each into its own
// aggregator), and one goroutine writes the per-request CSV rows of blocks
// in file order. A fixed pool of blocks bounds memory whatever the number
// of records: a block goes back to the pool only once its rows are written.

const blockSize = 4 << 20

type block struct {
	seq     int
	file    int
	line    int // number of the block's first line in its file (1-based)
	data    []byte
	partial bool // the file ended without a newline: its last line may be cut
	csv     []byte
	err     error
}

// fileInfo is what reading learned about one results file.
type fileInfo struct {
	path     string
	header   runner.Header
	footers  []runner.Footer // the file's own footer last; more when shard files were concatenated
	headers  []runner.Header // headers met inside the file (concatenated shard files)
	warnings []string
	fast     int64
	slow     int64
}

// readOptions configure a read.
type readOptions struct {
	workers int
	csv     io.Writer // per-request rows; nil to skip
	agg     func() *aggregator
}

// readHeader reads a results file's first line.
func readHeader(path string) (runner.Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return runner.Header{}, err
	}
	defer f.Close()
	rd, err := runner.NewReader(f, path)
	if err != nil {
		return runner.Header{}, err
	}
	return rd.Header, nil
}

// readAll streams every file through the pipeline and returns the merged
// aggregator and what it learned per file.
func readAll(paths []string, o readOptions) (*aggregator, []*fileInfo, error) {
	workers := o.workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	infos := make([]*fileInfo, len(paths))
	for i, p := range paths {
		infos[i] = &fileInfo{path: p}
	}

	pool := make(chan *block, 2*workers+2)
	for range cap(pool) {
		pool <- &block{data: make([]byte, 0, blockSize)}
	}
	work := make(chan *block, cap(pool))
	done := make(chan *block, cap(pool))
	stop := make(chan struct{})
	var stopOnce sync.Once
	var firstErr error
	var errMu sync.Mutex
	fail := func(err error) {
		errMu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		errMu.Unlock()
		stopOnce.Do(func() { close(stop) })
	}

	// Workers.
	aggs := make([]*aggregator, workers)
	var infoMu sync.Mutex // guards infos' footers, headers, warnings, counters
	var wg sync.WaitGroup
	for w := range workers {
		aggs[w] = o.agg()
		wg.Add(1)
		go func(ag *aggregator) {
			defer wg.Done()
			d := runner.NewRecordDecoder()
			var r runner.Result
			for b := range work {
				b.err = processBlock(b, d, &r, ag, infos[b.file], &infoMu, o.csv != nil)
				done <- b
			}
		}(aggs[w])
	}

	// The writer: rows in block order; returns blocks to the pool.
	var writeWG sync.WaitGroup
	writeWG.Add(1)
	go func() {
		defer writeWG.Done()
		next := 0
		pending := map[int]*block{}
		for b := range done {
			pending[b.seq] = b
			for {
				b, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				if b.err != nil {
					fail(b.err)
				} else if o.csv != nil && len(b.csv) > 0 {
					if _, err := o.csv.Write(b.csv); err != nil {
						fail(fmt.Errorf("writing per-request rows: %w", err))
					}
				}
				pool <- b
			}
		}
	}()

	// The reader, here.
	seq := 0
	readErr := func() error {
		for i, p := range paths {
			if err := cutFile(p, i, infos[i], pool, work, stop, &seq); err != nil {
				return err
			}
		}
		return nil
	}()
	close(work)
	wg.Wait()
	close(done)
	writeWG.Wait()
	if readErr != nil && !errors.Is(readErr, errStopped) {
		return nil, nil, readErr
	}
	if firstErr != nil {
		return nil, nil, firstErr
	}
	ag := aggs[0]
	for _, o := range aggs[1:] {
		ag.merge(o)
	}
	return ag, infos, nil
}

var errStopped = errors.New("stopped")

// cutFile reads one file's header, then hands its body to the workers in
// blocks that end on a line boundary.
func cutFile(path string, idx int, fi *fileInfo, pool, work chan *block, stop chan struct{}, seq *int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var carry []byte
	line := 1
	first := true
	eof := false
	for !eof {
		var b *block
		select {
		case b = <-pool:
		case <-stop:
			return errStopped
		}
		buf := append(b.data[:0], carry...)
		for {
			if len(buf) == cap(buf) {
				buf = append(buf, 0)[:len(buf)] // a line longer than the block: grow
			}
			n, err := f.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				eof = true
				break
			}
			if err != nil {
				pool <- b
				return fmt.Errorf("%s: %w", path, err)
			}
			if len(buf) == cap(buf) && bytes.IndexByte(buf, '\n') >= 0 {
				break
			}
		}
		cut := len(buf)
		if !eof {
			cut = bytes.LastIndexByte(buf, '\n') + 1
		}
		carry = append(carry[:0], buf[cut:]...)
		b.data = buf[:cut]
		b.seq, b.file, b.line = *seq, idx, line
		b.partial = eof && len(b.data) > 0 && b.data[len(b.data)-1] != '\n'
		if first {
			// The header is the file's first line; parse it here so that a
			// file that is not a results file fails before any work.
			first = false
			nl := bytes.IndexByte(b.data, '\n')
			if nl < 0 {
				nl = len(b.data)
			}
			h, err := runner.ParseHeader(path, b.data[:nl])
			if err != nil {
				pool <- b
				return err
			}
			fi.header = h
			b.data = b.data[min(nl+1, len(b.data)):]
			b.line++
		}
		line += bytes.Count(buf[:cut], []byte{'\n'})
		*seq++
		work <- b
	}
	return nil
}

// processBlock decodes and aggregates every line of b.
func processBlock(b *block, d *runner.RecordDecoder, r *runner.Result, ag *aggregator, fi *fileInfo, mu *sync.Mutex, csv bool) error {
	b.csv = b.csv[:0]
	data := b.data
	line := b.line
	f0, s0 := d.Counts()
	defer func() {
		f1, s1 := d.Counts()
		mu.Lock()
		fi.fast += f1 - f0
		fi.slow += s1 - s0
		mu.Unlock()
	}()
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		var l []byte
		last := nl < 0
		if last {
			l, data = data, nil
		} else {
			l, data = data[:nl], data[nl+1:]
		}
		if len(bytes.TrimSpace(l)) == 0 {
			line++
			continue
		}
		if err := d.Decode(l, r); err != nil {
			if last && b.partial {
				mu.Lock()
				fi.warnings = append(fi.warnings, runner.PartialLastLine(fi.path, line))
				mu.Unlock()
				return nil
			}
			return fmt.Errorf("%s:%d: bad record: %v", fi.path, line, err)
		}
		switch r.Type {
		case "result":
			bill := ag.add(r)
			ag.addTurn(r, bill)
			if csv {
				b.csv = appendRequestRow(b.csv, r, bill)
			}
		case "footer":
			var f runner.Footer
			if err := json.Unmarshal(l, &f); err != nil {
				return fmt.Errorf("%s:%d: bad footer: %v", fi.path, line, err)
			}
			mu.Lock()
			fi.footers = append(fi.footers, f)
			mu.Unlock()
		case "header":
			h, err := runner.ParseHeader(fi.path, l)
			if err != nil {
				return fmt.Errorf("%s:%d: %v", fi.path, line, err)
			}
			mu.Lock()
			fi.headers = append(fi.headers, h)
			mu.Unlock()
		default:
			return fmt.Errorf("%s:%d: unknown record type %q", fi.path, line, r.Type)
		}
		line++
	}
	return nil
}
