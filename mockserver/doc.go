// Package mockserver is an http.Handler that behaves like a Doubao Seed 2.0
// model behind an OpenAI-compatible gateway: streaming and non-streaming chat
// completions, thinking, prefix caching, limits, errors and slowdown under
// load. It has no globals, so tests start as many as they like on :0.
//
// mockserver imports no other package of this module.
package mockserver
