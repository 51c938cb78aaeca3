package scenarios

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// EstimateTokens is the client's guess of how many tokens a text is. It
// cannot know the server's tokenizer; it only needs to be consistent, and
// calibration (see Calibration) turns it into the server's count. Rules,
// chosen to match a typical BPE tokenizer on English:
//
//   - a run of ASCII letters of length L, with at most one space before it,
//     is ⌈L/10⌉ tokens (a common word is one token);
//   - a run of digits of length L is ⌈L/3⌉ tokens;
//   - any other run of whitespace is one token;
//   - every other ASCII character is one token;
//   - every non-ASCII rune (CJK, emoji, …) is one token.
//
// Every unit of the prompt corpus is exactly one estimated token.
func EstimateTokens(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		j := i
		if c == ' ' && i+1 < len(s) && (isLetter(s[i+1]) || isDigit(s[i+1])) {
			j++ // the space belongs to the word after it
			c = s[j]
		}
		switch {
		case isLetter(c):
			k := j
			for k < len(s) && isLetter(s[k]) {
				k++
			}
			n += (k - j + 9) / 10
			i = k
		case isDigit(c):
			k := j
			for k < len(s) && isDigit(s[k]) {
				k++
			}
			n += (k - j + 2) / 3
			i = k
		case isSpace(c):
			k := j
			for k < len(s) && isSpace(s[k]) {
				k++
			}
			// Leave a single space in front of a word to that word.
			if k < len(s) && k-j > 1 && s[k-1] == ' ' && (isLetter(s[k]) || isDigit(s[k])) {
				k--
			}
			n++
			i = k
		case c < utf8.RuneSelf:
			n++
			i = j + 1
		default:
			_, size := utf8.DecodeRuneInString(s[j:])
			n++
			i = j + size
		}
	}
	return n
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isSpace(c byte) bool  { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// Calibration maps the client's estimate to the server's count:
//
//	server ≈ Ratio · estimate + Overhead
//
// Ratio is the tokenizer's disagreement with EstimateTokens; Overhead is
// what the server adds to every request (chat template, role markers). The
// zero value means Ratio 1, Overhead 0. In a scenario it is the tokenizer
// block; being part of the scenario, it is part of the plan, so every shard
// of a run builds the same prompts.
type Calibration struct {
	Ratio    float64 `yaml:"ratio" json:"ratio,omitempty"`
	Overhead float64 `yaml:"overhead" json:"overhead,omitempty"`
}

func (c Calibration) ratio() float64 {
	if c.Ratio <= 0 {
		return 1
	}
	return c.Ratio
}

// ToServer is the server count an estimate of est tokens should come to.
func (c Calibration) ToServer(est int) int {
	return int(math.Round(c.ratio()*float64(est) + c.Overhead))
}

// FromServer is the estimate that should come to n server tokens (never
// below zero).
func (c Calibration) FromServer(n int) int {
	return max(0, int(math.Round((float64(n)-c.Overhead)/c.ratio())))
}

// IsZero reports the default (uncalibrated) state.
func (c Calibration) IsZero() bool { return c == Calibration{} }

// CalibrationSample pairs what the plan estimated for a request
// (runner.Request.EstPromptTokens, made under the calibration then in
// force) with the server's usage.prompt_tokens for it.
type CalibrationSample struct {
	Estimate int
	Server   int
}

// Recalibrate fits a new calibration from samples taken under current.
// Each estimate is first turned back into the raw estimate
// (raw = (estimate − overhead) / ratio); then server = a·raw + b is fitted
// by least squares when the raw estimates differ by at least 10% (so the
// overhead is identifiable), else a = Σserver / Σraw with b = 0. A fitted
// b below zero (noise) is dropped in favour of the through-origin fit. A
// ratio outside [0.2, 5] means the probe measured something else (a cache,
// a template that dwarfs the prompt) and is refused.
func Recalibrate(current Calibration, samples []CalibrationSample) (Calibration, error) {
	var raw, srv []float64
	for _, s := range samples {
		if s.Server <= 0 || s.Estimate <= 0 {
			continue
		}
		raw = append(raw, (float64(s.Estimate)-current.Overhead)/current.ratio())
		srv = append(srv, float64(s.Server))
	}
	if len(raw) == 0 {
		return current, fmt.Errorf("calibration needs at least one request with a usage.prompt_tokens above zero")
	}
	lo, hi := raw[0], raw[0]
	var sx, sy, sxx, sxy float64
	for i, x := range raw {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
		sx += x
		sy += srv[i]
		sxx += x * x
		sxy += x * srv[i]
	}
	n := float64(len(raw))
	out := Calibration{Ratio: sy / sx}
	if len(raw) >= 2 && hi >= 1.1*lo {
		a := (n*sxy - sx*sy) / (n*sxx - sx*sx)
		b := (sy - a*sx) / n
		if b >= 0 {
			out = Calibration{Ratio: a, Overhead: b}
		} else {
			out = Calibration{Ratio: sxy / sxx}
		}
	}
	if !(out.Ratio >= 0.2 && out.Ratio <= 5) {
		return current, fmt.Errorf("calibration ratio %.3f is implausible (server tokens per estimated token should be within 0.2..5)", out.Ratio)
	}
	return out, nil
}
