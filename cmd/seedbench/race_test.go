//go:build race

package main

// raceEnabled: the race detector limits a process to 8,128 live
// goroutines, which bounds the connection tests.
const raceEnabled = true
