//go:build !linux

package runner

import "time"

// kernelSleepUntil falls back to the runtime's sleep off Linux: the raw
// nanosleep of sleep_linux.go is Linux's system call (darwin has none in
// package syscall), so elsewhere the pacer's precision is the runtime's
// timers'.
func kernelSleepUntil(due time.Time, _ bool) { time.Sleep(time.Until(due)) }
