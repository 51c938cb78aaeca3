package run

import (
	"testing"

	"go.uber.org/goleak"
)

// No goroutine may outlive the tests: every run and mock Execute starts is
// stopped before it returns.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
