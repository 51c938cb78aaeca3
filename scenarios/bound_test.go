package scenarios

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/seedbench/seedbench/internal/yamlbound"
)

// withExtra is base with lines added under the target's extra_body.
func withExtra(lines string) string {
	return strings.Replace(base, "    model: doubao-seed-2.0-mini\n", "    model: doubao-seed-2.0-mini\n    extra_body:\n"+lines, 1)
}

// laughs is a billion-laughs extra_body: levels lists of nine, each of the
// level below, about 873 bytes for 9 levels.
func laughs(levels int) string {
	var b strings.Builder
	b.WriteString(`      l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for i := 1; i < levels; i++ {
		fmt.Fprintf(&b, "      l%d: &l%d [", i, i)
		for j := range 9 {
			if j > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "*l%d", i-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

// pad fills src with a comment up to n bytes.
func pad(src string, n int) string {
	if len(src)+3 > n {
		return src
	}
	return src + "#" + strings.Repeat("x", n-len(src)-2) + "\n"
}

// allocated is the number of bytes f allocates (the heap can never hold
// more than that at once, so it bounds the resident memory f adds). The
// total only grows, so no collection is needed first.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// parseBound is the documented bound: any file under the size cap is read,
// checked and decoded with less than this allocated in total.
const parseBound = 100 << 20

// TestParseAllocationBound: the worst files we know of under the caps are
// decoded within parseBound, and the hostile ones over them are refused
// within it, with a positioned message.
func TestParseAllocationBound(t *testing.T) {
	if raceEnabled {
		t.Skip("slow under the race detector; the totals it checks do not depend on it")
	}
	capBytes := yamlbound.Default.MaxBytes
	nodes := yamlbound.Default.MaxNodes
	var flowList strings.Builder
	flowList.WriteString("      x: [")
	for range nodes/2 - 200 {
		flowList.WriteString("1,")
	}
	flowList.WriteString("1]\n")
	var nested strings.Builder
	for i := range 400 {
		fmt.Fprintf(&nested, "      n%d: %s1%s\n", i, strings.Repeat("[", 55), strings.Repeat("]", 55))
	}
	var comments strings.Builder
	for range min(capBytes/17-100, nodes-300) {
		comments.WriteString("# a comment line\n")
	}
	tests := []struct {
		name   string
		src    string
		refuse string // "" for accepted, else a part of the message
	}{
		{"one long string", withExtra(`      x: "` + strings.Repeat("a", capBytes-len(base)-100) + "\"\n"), ""},
		{"as many nodes as allowed", pad(withExtra(flowList.String()), capBytes-10), ""},
		{"nesting near the cap, many times", pad(withExtra(nested.String()), capBytes-10), ""},
		{"comments", pad(comments.String()+base, capBytes-10), ""},
		{"aliases expanded near the budget", withExtra(laughs(4)), ""},
		{"billion laughs, 9 levels", withExtra(laughs(9)), "once aliases are expanded"},
		{"100k [ then 100k ]", "x: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "\n", "nested more than 64 levels"},
		{"over the size cap", pad(base, capBytes+1), "cap on YAML input"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte(tt.src)
			if len(src) > capBytes && tt.refuse == "" {
				t.Fatalf("test file is %d bytes, over the cap", len(src))
			}
			var err error
			n := allocated(func() { _, err = ParseWith("f.yaml", src, Options{Env: testEnv}) })
			t.Logf("%d bytes in, %.1f MiB allocated", len(src), float64(n)/(1<<20))
			if n > parseBound {
				t.Errorf("allocated %d bytes, over the %d bound", n, parseBound)
			}
			checkRefusal(t, err, tt.refuse)
		})
	}
}

func checkRefusal(t *testing.T, err error, refuse string) {
	t.Helper()
	if refuse == "" {
		if err != nil {
			t.Fatalf("refused: %.300v", err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), refuse) {
		t.Fatalf("got %.300v, want a refusal with %q", err, refuse)
	}
	if !regexpPositioned.MatchString(err.Error()) {
		t.Fatalf("refusal not positioned: %.300v", err)
	}
}

var regexpPositioned = errorLineAny

// TestOpenLargeFile: a 50 MB file is refused after reading no more than
// the cap, naming its size and the cap.
func TestOpenLargeFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(base); err != nil {
		t.Fatal(err)
	}
	// sparse: the test writes a few bytes, the file reads as 50 MB
	if err := f.Truncate(50 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	n := allocated(func() { _, err = Open(p, Options{}) })
	t.Logf("%.1f MiB allocated", float64(n)/(1<<20))
	if n > parseBound {
		t.Errorf("allocated %d bytes, over the %d bound", n, parseBound)
	}
	checkRefusal(t, err, "52428800 bytes (50.0 MiB), over the 1.0 MiB (1048576 bytes) cap")
}
