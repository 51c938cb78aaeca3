package run

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// redacted is what a secret is replaced with.
const redacted = "[redacted]"

// resolvedScenario is the scenario as the results header records it, with
// what may be a credential removed: the values of headers that usually carry
// one (a scenario may say `Authorization: Bearer ${KEY}`, and ${KEY} is
// expanded when the file is read), and any of the run's keys wherever else
// it appears. The report never needs either.
func resolvedScenario(sc *scenarios.Scenario, keys []string) ([]byte, error) {
	cp := *sc
	cp.Targets = append([]scenarios.Target(nil), sc.Targets...)
	for i := range cp.Targets {
		t := &cp.Targets[i]
		if len(t.Headers) == 0 {
			continue
		}
		h := make(map[string]string, len(t.Headers))
		for k, v := range t.Headers {
			if runner.SecretHeader(k) {
				v = redacted
			}
			h[k] = v
		}
		t.Headers = h
	}
	b, err := json.Marshal(&cp)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if len(k) < 8 {
			continue // not a real key; replacing it could hit field names
		}
		// The key as JSON encodes it inside a string.
		enc, _ := json.Marshal(k)
		b = bytes.ReplaceAll(b, enc[1:len(enc)-1], []byte(redacted))
	}
	if len(keys) > 0 && !json.Valid(b) {
		return nil, errors.New("redacting the resolved scenario broke its JSON")
	}
	return b, nil
}
