// Package yamlbound refuses YAML input that would make the parser or the
// decoder use more memory than a small, fixed bound, before the parser sees
// it: the file's size, how deeply it nests, how many nodes it holds, and how
// many nodes it holds once aliases are expanded.
//
// The YAML library (goccy/go-yaml) allocates about 50–80 bytes per input
// byte and several hundred per token, and its parser grows quadratically
// with nesting depth (20,000 levels of "[" cost 665 MB). Its decoder expands
// aliases without a limit, so 873 bytes of "billion laughs" become gigabytes.
// The limits here are chosen so that any input within them is decoded in a
// bounded amount of memory (see Default); each refusal is an *Error with the
// line and column where the limit was crossed.
//
// Both the scenario decoder and the mock server's config and admin bodies
// read YAML through these checks. The package imports only the standard
// library and the YAML library's syntax tree, so the mock server stays a
// standalone handler.
package yamlbound
