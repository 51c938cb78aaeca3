//go:build !unix

package selfcheck

import "time"

// processCPU is not available here; CPU is reported as unknown.
func processCPU() (user, sys time.Duration, ok bool) { return 0, 0, false }
