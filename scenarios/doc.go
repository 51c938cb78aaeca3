// Package scenarios turns what a user wants to test into what the runner sends:
// the YAML scenario schema and its strict decoder (errors carry file:line:col),
// validation, the embedded library of built-in scenarios, the model catalog
// (limits and tiered prices of the Seed 2.0 variants) and deterministic prompt
// synthesis.
//
// scenarios may import runner (for the types it produces) and nothing else of
// this module.
package scenarios
