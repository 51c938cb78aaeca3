package scenarios

import (
	"fmt"
	"strings"
)

// Nearest is the one near-miss matcher of the project: a misspelled YAML
// field, built-in scenario name, command or flag is answered with the valid
// name it is closest to. It returns the valid name within two edits of got
// (case ignored), the closest one when several are, and false when none is:
// a suggestion far from what was typed misleads more than it helps.
func Nearest(got string, valid []string) (string, bool) {
	best, bestD := "", 3
	for _, v := range valid {
		if d := editDistance(strings.ToLower(got), strings.ToLower(v)); d < bestD {
			best, bestD = v, d
		}
	}
	return best, best != ""
}

// suggest returns ` (did you mean "rate"?)` for a near miss, else the
// list of valid names.
func suggest(got string, valid []string) string {
	if best, ok := Nearest(got, valid); ok {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return " (valid: " + strings.Join(valid, ", ") + ")"
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
