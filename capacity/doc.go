// Package capacity finds, per variant, the highest load at which every
// objective of a scenario passes and the load was delivered, and turns the
// capacities into a decision: which variant carries the expected traffic
// with headroom, at what cost, and why the others do not.
//
// The search (Search) knows nothing of HTTP or results files: it asks a
// Prober for one measured load level at a time, so it is tested with a fake
// prober, and the same code drives the real runner probe by probe.
//
// The method, per target: a geometric ramp from a starting level (×Growth
// per probe) until a probe fails an objective or shows saturation (achieved
// rate below the offered rate, or TTFT growing probe over probe); then
// bisection of the bracket [highest pass, lowest fail] until its width is
// within Tolerance of its lower end. Every probe runs long enough for the
// percentiles it is judged on to be conclusive (p99 needs 100 successes),
// after a warmup. The lower end is probed again before it is accepted; when
// the repeat fails the edge flapped, which is reported and the bisection
// continues below it. The search stops early at MaxLevel, at the wall-clock
// budget and before a probe whose estimated spend would cross the cap.
package capacity
