//go:build !linux

package selfcheck

// loadAverage1 is not read outside Linux.
func loadAverage1() (float64, bool) { return 0, false }
