//go:build unix

package selfcheck

import (
	"syscall"
	"time"
)

// processCPU is getrusage(RUSAGE_SELF): user and system time of every
// thread of the process so far.
func processCPU() (user, sys time.Duration, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0, false
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano()), true
}
