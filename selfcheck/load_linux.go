//go:build linux

package selfcheck

import (
	"os"
	"strconv"
	"strings"
)

// loadAverage1 is the system's 1-minute load average from /proc/loadavg:
// the other processes competing for the same CPUs, which selfcheck's own
// figures cannot tell apart from the harness's overhead.
func loadAverage1() (float64, bool) {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(f[0], 64)
	return v, err == nil
}
