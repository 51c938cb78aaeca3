// Package prometheus holds the recording and alerting rules for seedbench
// runs (seedbench-rules.yml); its test runs Prometheus's own rule checker
// and unit tests (promtool) on them.
package prometheus

import (
	"os/exec"
	"strings"
	"testing"
)

func promtool(t *testing.T, args ...string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (Debian package prometheus; .ci/run installs it): the rules tests are skipped")
	}
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if !strings.Contains(string(out), "SUCCESS") {
		t.Fatalf("promtool %s said no SUCCESS:\n%s", strings.Join(args, " "), out)
	}
}

// TestRulesCheck: the rules file is valid (syntax, PromQL, templates).
func TestRulesCheck(t *testing.T) { promtool(t, "check", "rules", "seedbench-rules.yml") }

// TestRulesUnit: the burn-rate alerts fire, and only fire, as the
// synthetic runs in seedbench-rules.test.yml say they must.
func TestRulesUnit(t *testing.T) { promtool(t, "test", "rules", "seedbench-rules.test.yml") }
