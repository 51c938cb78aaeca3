package runner

import (
	"syscall"
	"time"
	"unsafe"
)

// kernelSleepUntil sleeps until due in nanosleep, entered as a raw system
// call: the runtime is not told, so the goroutine keeps its processor and
// nothing is handed over. A blocking call (syscall.Nanosleep) lets the
// runtime retake the processor, wake another thread for it and take it
// back when the sleep ends: at 2,000 waits a second that hand-off cost
// more CPU than everything else the pacer does (BenchmarkRaceSeedbench,
// SEEDBENCH_RACE_RATE=2000). The price is that the processor runs nothing
// else for the wait (at most preciseWindow); a preemption request (the
// collector's stop-the-world) is a signal, which ends the sleep early with
// EINTR, and the goroutine is preempted as it returns, so the collector
// is not held up. Sleeps cut short sleep again for what is left.
func kernelSleepUntil(due time.Time) {
	for {
		d := time.Until(due)
		if d <= 0 {
			return
		}
		ts := syscall.NsecToTimespec(int64(d))
		if _, _, errno := syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0); errno != syscall.EINTR {
			return
		}
	}
}
