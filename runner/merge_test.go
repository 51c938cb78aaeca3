package runner

import (
	"bytes"
	"io"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// writeShard writes a results file for shard i/n holding the requests ks.
func writeShard(t *testing.T, dir string, h Header, i int, ks []int64, footer bool) string {
	t.Helper()
	h.ShardIndex = i
	p := filepath.Join(dir, "shard", string(rune('a'+i))+".jsonl")
	if err := mkdirAll(filepath.Dir(p)); err != nil {
		t.Fatal(err)
	}
	w, err := CreateResults(p, h)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		w.Write(&Result{K: k, Target: "mini", Status: StatusOK, E2EUS: 1000 + k})
	}
	if footer {
		if err := w.Close(Footer{Issued: int64(len(ks)), Trust: Trust{LagP99US: int64(100 * (i + 1)), StartSkewUS: int64(i)}}); err != nil {
			t.Fatal(err)
		}
	} else {
		// Simulate a killed shard: records flushed, no footer.
		if err := w.Close(Footer{}); err != nil {
			t.Fatal(err)
		}
		truncateFooter(t, p)
	}
	return p
}

func shardKs(planned int64, i, n int) []int64 {
	var ks []int64
	for k := int64(0); k < planned; k++ {
		if (Shard{Index: i, Count: n}).Owns(k) {
			ks = append(ks, k)
		}
	}
	return ks
}

func readAll(t *testing.T, b []byte) (Header, []int64, *Footer) {
	t.Helper()
	rd, err := NewReader(bytes.NewReader(b), "merged")
	if err != nil {
		t.Fatal(err)
	}
	var ks []int64
	var r Result
	for {
		err := rd.Next(&r)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, r.K)
	}
	return rd.Header, ks, rd.Footer
}

func TestMergeComplete(t *testing.T) {
	dir := t.TempDir()
	h := Header{Scenario: "s", PlanHash: "abc", Seed: 7, ShardCount: 3, Planned: 100, Start: time.Unix(1700000000, 0).UTC()}
	var paths []string
	for i := 0; i < 3; i++ {
		paths = append(paths, writeShard(t, dir, h, i, shardKs(100, i, 3), true))
	}
	var out bytes.Buffer
	info, err := Merge(&out, paths)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Complete() || info.Records != 100 {
		t.Fatalf("info = %+v, want complete with 100 records", info)
	}
	mh, ks, foot := readAll(t, out.Bytes())
	if mh.ShardIndex != -1 || mh.ShardCount != 3 || mh.PlanHash != "abc" {
		t.Errorf("merged header %+v", mh)
	}
	seen := map[int64]bool{}
	for _, k := range ks {
		seen[k] = true
	}
	if len(ks) != 100 || len(seen) != 100 {
		t.Errorf("merged %d records, %d distinct; want 100", len(ks), len(seen))
	}
	if foot == nil || foot.Issued != 100 || foot.Trust.LagP99US != 300 || foot.Trust.StartSkewUS != 2 {
		t.Errorf("footer %+v: want issued 100, worst lag p99 300, worst skew 2", foot)
	}
}

func TestMergeReportsWhatIsMissing(t *testing.T) {
	dir := t.TempDir()
	h := Header{Scenario: "s", PlanHash: "abc", Seed: 7, ShardCount: 3, Planned: 30, Start: time.Unix(1700000000, 0).UTC()}
	// Shard 0 complete, shard 1 killed after 4 of its 10 requests, shard 2 absent.
	p0 := writeShard(t, dir, h, 0, shardKs(30, 0, 3), true)
	p1 := writeShard(t, dir, h, 1, shardKs(30, 1, 3)[:4], false)
	var out bytes.Buffer
	info, err := Merge(&out, []string{p0, p1})
	if err != nil {
		t.Fatal(err)
	}
	if info.Complete() {
		t.Fatal("an incomplete merge says complete")
	}
	if !reflect.DeepEqual(info.MissingShards, []int{2}) {
		t.Errorf("missing shards %v, want [2]", info.MissingShards)
	}
	if info.MissingK != 6 || info.MissingSample[0] != 13 {
		t.Errorf("missing k = %d (first %v), want 6 starting at 13", info.MissingK, info.MissingSample)
	}
	if _, _, foot := readAll(t, out.Bytes()); foot == nil || !foot.Interrupted {
		t.Errorf("a merge with a cut shard must be marked interrupted: %+v", foot)
	}
}

func TestMergeRejectsForeignShards(t *testing.T) {
	dir := t.TempDir()
	h := Header{Scenario: "s", PlanHash: "abc", Seed: 7, ShardCount: 2, Start: time.Unix(1700000000, 0).UTC()}
	p0 := writeShard(t, dir, h, 0, []int64{0}, true)
	for _, tc := range []struct {
		name   string
		mutate func(*Header)
	}{
		{"other plan", func(h *Header) { h.PlanHash = "xyz" }},        // a different scenario
		{"other seed", func(h *Header) { h.Seed = 8 }},                // same scenario, other seed
		{"other N", func(h *Header) { h.ShardCount = 3 }},             // split another way
		{"other start", func(h *Header) { h.Start = h.Start.Add(1) }}, // not one run
	} {
		t.Run(tc.name, func(t *testing.T) {
			h2 := h
			tc.mutate(&h2)
			p1 := writeShard(t, t.TempDir(), h2, 1, []int64{1}, true)
			if _, err := Merge(io.Discard, []string{p0, p1}); err == nil {
				t.Fatal("merged shards of different runs")
			}
		})
	}
	// The same shard twice.
	p0b := writeShard(t, t.TempDir(), h, 0, []int64{0}, true)
	if _, err := Merge(io.Discard, []string{p0, p0b}); err == nil {
		t.Fatal("merged shard 0 twice")
	}
}

func TestKSet(t *testing.T) {
	var s kSet
	for _, k := range []int64{0, 63, 64, 1000, denseK - 1, denseK, ClosedBlock + 5, 3 * ClosedBlock} {
		if s.test(k) || s.testAndSet(k) {
			t.Errorf("k=%d seen before it was set", k)
		}
		if !s.test(k) || !s.testAndSet(k) {
			t.Errorf("k=%d not seen after it was set", k)
		}
	}
	if s.test(1) || s.test(denseK+1) || s.test(-1) {
		t.Error("unset numbers reported seen")
	}
	if len(s.dense) > denseK/64 {
		t.Errorf("dense part grew past its bound: %d words", len(s.dense))
	}
}
