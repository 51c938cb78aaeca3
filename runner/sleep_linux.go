package runner

import (
	"syscall"
	"time"
	"unsafe"
)

// rawSleepMax is the longest sleep kernelSleepUntil takes as a raw system
// call when asked to. A raw call keeps the goroutine's processor for the
// whole sleep, so only short ones are raw; longer sleeps block as ordinary
// system calls and let the runtime lend the processor out.
const rawSleepMax = 500 * time.Microsecond

// kernelSleepUntil sleeps until due in nanosleep. With raw, a sleep up to
// rawSleepMax is entered as a raw system call: the runtime is not told, so
// nothing is handed over. A blocking call (syscall.Nanosleep) lets the
// runtime retake the processor, wake another thread for it and take it
// back when the sleep ends: at 2,000 waits a second that hand-off cost
// more CPU than everything else the pacer does (BenchmarkRaceSeedbench,
// SEEDBENCH_RACE_RATE=2000: 261–299 → 185–204 ms per 1,000 requests). A
// preemption request (the collector's stop-the-world) is a signal, which
// ends a raw sleep early with EINTR, and the goroutine is preempted as it
// returns, so the collector is not held up. A sleep cut short sleeps
// again for what is left.
func kernelSleepUntil(due time.Time, raw bool) {
	for {
		d := time.Until(due)
		if d <= 0 {
			return
		}
		ts := syscall.NsecToTimespec(int64(d))
		if !raw || d > rawSleepMax {
			if err := syscall.Nanosleep(&ts, nil); err != syscall.EINTR {
				return
			}
			continue
		}
		if _, _, errno := syscall.RawSyscall(syscall.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0); errno != syscall.EINTR {
			return
		}
	}
}
