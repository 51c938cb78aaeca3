package run

import (
	"testing"
	"time"
)

func TestCheckStart(t *testing.T) {
	start := time.Unix(1000, 0)
	if err := checkStart(start, start.Add(time.Second), 2*time.Second); err != nil {
		t.Errorf("1s late within 2s tolerance: %v", err)
	}
	if err := checkStart(start, start.Add(-time.Minute), 2*time.Second); err != nil {
		t.Errorf("early start refused: %v", err)
	}
	if err := checkStart(start, start.Add(3*time.Second), 2*time.Second); err == nil {
		t.Error("3s late accepted with 2s tolerance")
	}
}
