//go:build !unix

package runner

import "time"

// kernelSleep falls back to the runtime's sleep where nanosleep is missing.
func kernelSleep(d time.Duration) { time.Sleep(d) }
