package runner

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"
)

// MergeInfo is what merging shard results found: the shards present and
// missing, requests never recorded, and requests recorded twice. Missing
// shards and requests are reported, never hidden.
type MergeInfo struct {
	ShardCount    int
	Present       []int   // shard indices found
	MissingShards []int   // indices 0..N-1 with no results file
	MissingK      int64   // planned open-loop requests of present shards with no record
	MissingSample []int64 // up to 20 of them, for the message
	DuplicateK    []int64 // requests recorded more than once (at most 20 listed)
	Records       int64
	StartSkew     []time.Duration // per present shard: actual start − agreed start
	Warnings      []string
}

// Complete reports whether the merged set is exactly the plan.
func (m *MergeInfo) Complete() bool {
	return len(m.MissingShards) == 0 && m.MissingK == 0 && len(m.DuplicateK) == 0
}

// CheckShards verifies that headers come from one plan split N ways, each
// shard at most once. It returns the shard count.
func CheckShards(headers []Header, names []string) (int, error) {
	if len(headers) == 0 {
		return 0, errors.New("no results files")
	}
	h0 := headers[0]
	seen := map[int]string{}
	for i, h := range headers {
		switch {
		case h.PlanHash != h0.PlanHash:
			return 0, fmt.Errorf("%s: plan %s differs from %s's plan %s (not shards of one run)", names[i], h.PlanHash, names[0], h0.PlanHash)
		case h.Seed != h0.Seed:
			return 0, fmt.Errorf("%s: seed %d differs from %s's seed %d", names[i], h.Seed, names[0], h0.Seed)
		case h.ShardCount != h0.ShardCount:
			return 0, fmt.Errorf("%s: shard count %d differs from %s's %d", names[i], h.ShardCount, names[0], h0.ShardCount)
		case !h.Start.Equal(h0.Start):
			return 0, fmt.Errorf("%s: start %s differs from %s's start %s (shards must share one start instant)", names[i], h.Start.Format(time.RFC3339Nano), names[0], h0.Start.Format(time.RFC3339Nano))
		}
		if prev, dup := seen[h.ShardIndex]; dup {
			return 0, fmt.Errorf("%s and %s are both shard %d/%d", prev, names[i], h.ShardIndex, h.ShardCount)
		}
		if h.ShardCount > 0 && (h.ShardIndex < 0 || h.ShardIndex >= h.ShardCount) {
			return 0, fmt.Errorf("%s: shard index %d outside 0..%d", names[i], h.ShardIndex, h.ShardCount-1)
		}
		seen[h.ShardIndex] = names[i]
	}
	n := h0.ShardCount
	if n < 1 {
		n = 1
	}
	return n, nil
}

// Merge concatenates the results files of a sharded run into out as one
// results file: a header (the shards' common header, ShardCount kept,
// ShardIndex -1), every record once, and a footer combining the shards'
// footers. It reads each file once, streaming.
func Merge(out io.Writer, paths []string) (*MergeInfo, error) {
	headers := make([]Header, len(paths))
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		rd, err := NewReader(f, p)
		f.Close()
		if err != nil {
			return nil, err
		}
		headers[i] = rd.Header
	}
	n, err := CheckShards(headers, paths)
	if err != nil {
		return nil, err
	}
	info := &MergeInfo{ShardCount: n}
	present := map[int]bool{}
	for _, h := range headers {
		present[h.ShardIndex] = true
		info.Present = append(info.Present, h.ShardIndex)
	}
	sort.Ints(info.Present)
	for i := 0; i < n; i++ {
		if !present[i] {
			info.MissingShards = append(info.MissingShards, i)
		}
	}

	enc := newLineEncoder(out)
	mh := headers[0]
	mh.Type, mh.ShardIndex = "header", -1
	if err := enc.encode(mh); err != nil {
		return nil, err
	}
	var seen kSet
	foot := Footer{Type: "footer"}
	var r Result
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		rd, err := NewReader(f, p)
		if err != nil {
			f.Close()
			return nil, err
		}
		for {
			err := rd.Next(&r)
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				return nil, err
			}
			if seen.testAndSet(r.K) {
				if len(info.DuplicateK) < 20 {
					info.DuplicateK = append(info.DuplicateK, r.K)
				}
				continue
			}
			info.Records++
			r.Type = "result"
			if err := enc.encode(&r); err != nil {
				f.Close()
				return nil, err
			}
		}
		f.Close()
		info.Warnings = append(info.Warnings, rd.Warnings...)
		if ft := rd.Footer; ft != nil {
			foot.Issued += ft.Issued
			foot.Dropped += ft.Dropped
			foot.Interrupted = foot.Interrupted || ft.Interrupted
			foot.Trust = WorseTrust(foot.Trust, ft.Trust)
			if ft.End.After(foot.End) {
				foot.End = ft.End
			}
			info.StartSkew = append(info.StartSkew, time.Duration(ft.Trust.StartSkewUS)*time.Microsecond)
		} else {
			foot.Interrupted = true
			info.Warnings = append(info.Warnings, fmt.Sprintf("%s: no footer (shard %d was cut short)", p, headers[i].ShardIndex))
		}
	}
	// Planned requests of present shards that left no record.
	if planned := headers[0].Planned; planned > 0 {
		for k := int64(0); k < planned; k++ {
			if !present[int(k%int64(n))] || seen.test(k) {
				continue
			}
			info.MissingK++
			if len(info.MissingSample) < 20 {
				info.MissingSample = append(info.MissingSample, k)
			}
		}
	}
	if err := enc.encode(foot); err != nil {
		return nil, err
	}
	return info, enc.flush()
}

// WorseTrust keeps, figure by figure, the worse of two shards' trust
// figures: a merged run is only as trustworthy as its least trustworthy
// shard. Merge applies it to footers and report to the shards it reads
// together, so both report the same.
func WorseTrust(a, b Trust) Trust {
	a.LagP50US = max(a.LagP50US, b.LagP50US)
	a.LagP99US = max(a.LagP99US, b.LagP99US)
	a.LagMaxUS = max(a.LagMaxUS, b.LagMaxUS)
	a.WakeupP50US = max(a.WakeupP50US, b.WakeupP50US)
	a.WakeupP99US = max(a.WakeupP99US, b.WakeupP99US)
	a.WakeupMaxUS = max(a.WakeupMaxUS, b.WakeupMaxUS)
	a.CPUSeconds += b.CPUSeconds
	a.CPUShare = max(a.CPUShare, b.CPUShare)
	a.Dropped += b.Dropped
	a.TTFTP50US = max(a.TTFTP50US, b.TTFTP50US)
	a.LagLimitUS = max(a.LagLimitUS, b.LagLimitUS)
	a.LagSamples += b.LagSamples
	a.LateSends += b.LateSends
	a.UserDelayP50US = max(a.UserDelayP50US, b.UserDelayP50US)
	a.UserDelayP99US = max(a.UserDelayP99US, b.UserDelayP99US)
	a.UserDelayMaxUS = max(a.UserDelayMaxUS, b.UserDelayMaxUS)
	a.UserDelaySamples += b.UserDelaySamples
	a.UserDelayLate += b.UserDelayLate
	a.LoadAvg1 = max(a.LoadAvg1, b.LoadAvg1)
	a.StealShare = max(a.StealShare, b.StealShare)
	a.CPUs = max(a.CPUs, b.CPUs)
	if abs(b.StartSkewUS) > abs(a.StartSkewUS) {
		a.StartSkewUS = b.StartSkewUS
	}
	if b.Untrustworthy && !a.Untrustworthy {
		a.Untrustworthy, a.Reason = true, b.Reason
	}
	return a
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// kSet records which k have been seen: a dense bitset for the first
// denseK numbers (every open-loop plan of practical size), a map beyond
// them, where closed-loop stages number sparsely (base + j·users + u, with
// bases ClosedBlock apart) and a bitset would need gigabytes.
type kSet struct {
	dense  []uint64
	sparse map[int64]struct{}
}

const denseK = 1 << 26 // 8 MiB of bits at most

// testAndSet marks k and reports whether it was already marked.
func (s *kSet) testAndSet(k int64) bool {
	if k < 0 {
		return false
	}
	if k >= denseK {
		if s.sparse == nil {
			s.sparse = map[int64]struct{}{}
		}
		_, had := s.sparse[k]
		s.sparse[k] = struct{}{}
		return had
	}
	i := int(k >> 6)
	if i >= len(s.dense) {
		s.dense = append(s.dense, make([]uint64, max(i+1-len(s.dense), len(s.dense)))...)
	}
	m := uint64(1) << (k & 63)
	had := s.dense[i]&m != 0
	s.dense[i] |= m
	return had
}

func (s *kSet) test(k int64) bool {
	if k < 0 {
		return false
	}
	if k >= denseK {
		_, ok := s.sparse[k]
		return ok
	}
	i := int(k >> 6)
	return i < len(s.dense) && s.dense[i]&(uint64(1)<<(k&63)) != 0
}
