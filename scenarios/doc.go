// Package scenarios turns what a user wants to test into what the runner
// sends. It holds:
//
//   - the scenario schema (Scenario) and its strict YAML decoder: every
//     problem is reported as file:line:col: field.path: what is wrong (what
//     would be right), all of them at once, with ${ENV} expansion per value;
//     rates, durations and ratios are typed values (Rate, Duration, Ratio)
//     parsed once as the file is read, keeping the user's text for
//     messages and for the results header;
//   - the embedded library of built-in scenarios (Builtins, Builtin);
//   - the model catalog (Catalog, DefaultCatalog, LoadCatalog): context
//     window, output limit, prompt-length price tiers, cache prices, and the
//     cost of a request from its usage (TierPrice, the one bill formula);
//   - the plan (NewPlan): runner stages with vegeta pacers, including our
//     seeded Poisson and gamma pacers, and a Source that builds request k
//     as a pure function of (scenario, seed, k), prompts sliced from a
//     pre-built corpus, token lengths calibrated to the server (Calibration);
//   - the typed SLO block (SLO, Objective) that report evaluates;
//   - the cost projection of a mix (Plan.Project) behind "seedbench cost".
//
// scenarios imports runner for the types it produces and nothing else of
// this module. See README.md in this directory for the schema.
package scenarios
