//go:build tools

// Package internaldeps pins the design's chosen libraries in go.mod while the
// packages that use them are being written. It is never built.
package internaldeps

import (
	_ "github.com/HdrHistogram/hdrhistogram-go"
	_ "github.com/goccy/go-yaml"
	_ "github.com/openai/openai-go/v3"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/sashabaranov/go-openai"
	_ "github.com/tsenart/vegeta/v12/lib"
	_ "github.com/urfave/cli/v2"
	_ "go.uber.org/goleak"
	_ "gonum.org/v1/plot"
	_ "k8s.io/api/batch/v1"
	_ "sigs.k8s.io/yaml"
)
