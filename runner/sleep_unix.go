//go:build unix

package runner

import (
	"syscall"
	"time"
)

// kernelSleep sleeps d in the kernel (nanosleep), blocking the thread, not
// parking on the runtime's timers.
func kernelSleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	_ = syscall.Nanosleep(&ts, nil) // EINTR: wake early, the caller goes on
}
