package report

import (
	"io"
)

// Plot is one rendered chart: its name, caption and SVG.
type Plot struct {
	Name    string
	Caption string
	SVG     []byte
}

func renderPlots(dir string, s *Summary, opts Options) ([]Plot, error) { return nil, nil }

// WriteHTML renders report.html.
func WriteHTML(w io.Writer, s *Summary, plots []Plot) error {
	_, err := io.WriteString(w, "<!doctype html><title>seedbench</title>")
	return err
}
