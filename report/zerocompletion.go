package report

import "fmt"

// zeroCompletionNotes says, per target, how many of its successes finished
// with a finish_reason but no completion token. Such an answer is a success
// by the protocol (the server ended the stream properly) but carried
// nothing, so every format counts it apart instead of letting it pass as a
// full answer in "ok". Empty when there are none.
func zeroCompletionNotes(s *Summary) []string {
	var notes []string
	for _, t := range s.Targets {
		if n := t.All.ZeroCompletion; n > 0 {
			notes = append(notes, fmt.Sprintf("%s: %d of %d successful requests finished with no completion token (zero_completion; counted in ok, shown apart here)",
				t.Name, n, t.All.OK))
		}
	}
	return notes
}
