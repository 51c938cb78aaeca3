package run

import (
	"errors"
	"fmt"

	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// Class is how a run ended, in the terms of the exit-code contract: the
// command line maps it to 0, 1, 2 or 3.
type Class int

const (
	// OK: the run was what was asked and every check passed.
	OK Class = iota
	// CheckFailed: an SLO or load-delivered check failed (exit 1).
	CheckFailed
	// BadInput: the options or the scenario cannot run (exit 2).
	BadInput
	// Untrusted: the run could not be trusted or was aborted (exit 3).
	Untrusted
)

func (c Class) String() string {
	switch c {
	case OK:
		return "ok"
	case CheckFailed:
		return "check failed"
	case BadInput:
		return "bad input"
	case Untrusted:
		return "untrusted"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// Error is a failure of Execute before or around the run (not a failed
// request, which is data in the results): its Class says which exit code
// it means.
type Error struct {
	Class Class
	Err   error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func badInput(format string, a ...any) error {
	return &Error{Class: BadInput, Err: fmt.Errorf(format, a...)}
}

func untrusted(err error) error { return &Error{Class: Untrusted, Err: err} }

// ClassOf is the Class an error from Execute stands for: Untrusted for an
// error that carries none.
func ClassOf(err error) Class {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	if err == nil {
		return OK
	}
	return Untrusted
}

// Outcome is what a finished (or dry) run leaves for its caller to judge.
type Outcome struct {
	// Dir is the run directory, ResultsPath its results.jsonl.
	Dir, ResultsPath string
	// Plan is the plan that ran (or would have, for a dry run).
	Plan *scenarios.Plan
	// Seed is the seed the plan was built from.
	Seed int64
	// Header is the results file's header as written.
	Header runner.Header
	// Stats are the runner's counts and the trust verdict; Summary the
	// report of the results file (nil for a dry run).
	Stats   runner.Stats
	Summary *report.Summary
	// Interrupted: the run was stopped before its plan ended.
	Interrupted bool
	// SpendCapped says why the spend cap stopped the run ("" when it did
	// not); Spent is the measured spend when a cap was set.
	SpendCapped string
	Spent       float64
	// Class judges the run; Reason says why it is not OK, in one line.
	Class  Class
	Reason string
}

// Err is the outcome as an error (nil when OK), carrying its Class.
func (o Outcome) Err() error {
	if o.Class == OK {
		return nil
	}
	return &Error{Class: o.Class, Err: errors.New(o.Reason)}
}
