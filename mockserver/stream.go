package mockserver

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	"net/http"
	"strconv"
	"time"
)

// unpacedFlushBytes is how much an unpaced stream (time scale 0) buffers
// before it writes: with nothing to wait for, flushing per event would make
// the benchmark a measure of write syscalls.
const unpacedFlushBytes = 16 << 10

// sseWriter writes one response's SSE events from templates encoded once per
// request, so the per-token path is three appends and no JSON encoding.
// Events are buffered and flushed before every wait, so each event reaches
// the client as soon as the schedule says, and back-to-back events share one
// write.
type sseWriter struct {
	w  http.ResponseWriter
	rc *http.ResponseController

	buf []byte
	eol string // "\n", or "\r\n" under the CRLF fault

	common        []byte // `data: {"id":…,"model":…,` shared by all chunks
	headContent   []byte // common + `"choices":[{"index":0,"delta":{"content":"`
	headReasoning []byte
	tail          []byte // `"},"logprobs":null,"finish_reason":null}],"usage":null}` + eol·2

	received time.Time
	// pending counts token events written since the last flush; they are
	// stamped with the flush time.
	pending int
	// truth, when non-nil, collects each token event's flush offset (µs).
	truth     []int64
	headersUS int64
	lastFlush time.Time
	// ttft and itl observe the server-side times (Prometheus).
	ttft, itl  prometheus.Observer
	tokenFlush int
	err        error
}

// serviceTier adds Ark's "service_tier":"default" to every chunk.
func newSSEWriter(w http.ResponseWriter, id string, created int64, model string, serviceTier, crlf bool) *sseWriter {
	sw := &sseWriter{w: w, rc: http.NewResponseController(w), eol: "\n"}
	if crlf {
		sw.eol = "\r\n"
	}
	c := make([]byte, 0, 160)
	c = append(c, `data: {"id":"`...)
	c = append(c, id...)
	c = append(c, `","object":"chat.completion.chunk","created":`...)
	c = strconv.AppendInt(c, created, 10)
	c = append(c, `,"model":`...)
	c = appendJSONString(c, model)
	if serviceTier {
		c = append(c, `,"service_tier":"default"`...)
	}
	c = append(c, ',')
	sw.common = c
	sw.headContent = append(append([]byte(nil), c...), `"choices":[{"index":0,"delta":{"content":"`...)
	sw.headReasoning = append(append([]byte(nil), c...), `"choices":[{"index":0,"delta":{"reasoning_content":"`...)
	sw.tail = append([]byte(`"},"logprobs":null,"finish_reason":null}],"usage":null}`), sw.eol+sw.eol...)
	sw.buf = make([]byte, 0, 1024)
	return sw
}

func (sw *sseWriter) end() { sw.buf = append(sw.buf, sw.eol...); sw.buf = append(sw.buf, sw.eol...) }

func (sw *sseWriter) role() {
	sw.buf = append(sw.buf, sw.common...)
	sw.buf = append(sw.buf, `"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}`...)
	sw.end()
}

// tokens writes one token-bearing event made of pieces (JSON-safe).
func (sw *sseWriter) tokens(reasoning bool, pieces []string) {
	if reasoning {
		sw.buf = append(sw.buf, sw.headReasoning...)
	} else {
		sw.buf = append(sw.buf, sw.headContent...)
	}
	for _, p := range pieces {
		sw.buf = append(sw.buf, p...)
	}
	sw.buf = append(sw.buf, sw.tail...)
	sw.pending++
}

// bigTokens is tokens with about 1 MiB of padding in an extension field.
func (sw *sseWriter) bigTokens(reasoning bool, pieces []string) {
	sw.buf = append(sw.buf, sw.common...)
	sw.buf = append(sw.buf, `"seedbench_padding":"`...)
	for range bigEventBytes / 64 {
		sw.buf = append(sw.buf, "................................................................"...)
	}
	sw.buf = append(sw.buf, `",`...)
	head := sw.headContent
	if reasoning {
		head = sw.headReasoning
	}
	sw.buf = append(sw.buf, head[len(sw.common):]...)
	for _, p := range pieces {
		sw.buf = append(sw.buf, p...)
	}
	sw.buf = append(sw.buf, sw.tail...)
	sw.pending++
}

const bigEventBytes = 1 << 20

func (sw *sseWriter) finish(reason string) {
	sw.buf = append(sw.buf, sw.common...)
	sw.buf = append(sw.buf, `"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"`...)
	sw.buf = append(sw.buf, reason...)
	sw.buf = append(sw.buf, `"}],"usage":null}`...)
	sw.end()
}

func (sw *sseWriter) usage(pl *plan, withTruth bool) {
	sw.buf = append(sw.buf, sw.common...)
	sw.buf = append(sw.buf, `"choices":[],"usage":`...)
	sw.buf = appendUsage(sw.buf, pl)
	if withTruth {
		sw.buf = append(sw.buf, `,"seedbench_truth":{"headers_us":`...)
		sw.buf = strconv.AppendInt(sw.buf, sw.headersUS, 10)
		sw.buf = append(sw.buf, `,"ttft_us":`...)
		if len(sw.truth) > 0 {
			sw.buf = strconv.AppendInt(sw.buf, sw.truth[0], 10)
		} else {
			sw.buf = append(sw.buf, "null"...)
		}
		sw.buf = append(sw.buf, `,"events_us":[`...)
		for i, t := range sw.truth {
			if i > 0 {
				sw.buf = append(sw.buf, ',')
			}
			sw.buf = strconv.AppendInt(sw.buf, t, 10)
		}
		sw.buf = append(sw.buf, "]}"...)
	}
	sw.buf = append(sw.buf, '}')
	sw.end()
}

func appendUsage(b []byte, pl *plan) []byte {
	completion := pl.reasoningTokens + pl.contentTokens
	b = append(b, `{"prompt_tokens":`...)
	b = strconv.AppendInt(b, int64(pl.promptTokens), 10)
	b = append(b, `,"completion_tokens":`...)
	b = strconv.AppendInt(b, int64(completion), 10)
	b = append(b, `,"total_tokens":`...)
	b = strconv.AppendInt(b, int64(pl.promptTokens+completion), 10)
	b = append(b, `,"prompt_tokens_details":{"cached_tokens":`...)
	b = strconv.AppendInt(b, int64(pl.cachedTokens), 10)
	b = append(b, `},"completion_tokens_details":{"reasoning_tokens":`...)
	b = strconv.AppendInt(b, int64(pl.reasoningTokens), 10)
	return append(b, "}}"...)
}

func (sw *sseWriter) errorEvent() {
	e := errServer(http.StatusInternalServerError, "internal_error", "the model failed while generating (injected fault)")
	sw.buf = append(sw.buf, "data: "...)
	sw.buf = e.appendJSON(sw.buf)
	sw.end()
}

func (sw *sseWriter) invalidJSON() {
	sw.buf = append(sw.buf, sw.common...)
	sw.buf = append(sw.buf, `"choices":[{"index":0,"delta":{"content":`...)
	sw.end()
}

func (sw *sseWriter) comment() {
	sw.buf = append(sw.buf, ": keep-alive"...)
	sw.end()
}

func (sw *sseWriter) done() {
	sw.buf = append(sw.buf, "data: [DONE]"...)
	sw.end()
}

// flush writes the buffer and pushes it to the connection, and stamps the
// token events it carried with the instant just before the write. After a write error every later call is a no-op.
func (sw *sseWriter) flush() {
	if sw.err != nil || len(sw.buf) == 0 {
		return
	}
	// Stamp before writing: the client cannot read the bytes before this
	// instant, so truth ≤ any client's measurement of the same event.
	var now time.Time
	if sw.pending > 0 {
		now = time.Now()
	}
	if _, sw.err = sw.w.Write(sw.buf); sw.err == nil {
		sw.err = sw.rc.Flush()
	}
	sw.buf = sw.buf[:0]
	if sw.pending == 0 {
		return
	}
	if sw.ttft != nil {
		if sw.tokenFlush == 0 {
			sw.ttft.Observe(now.Sub(sw.received).Seconds())
		} else {
			sw.itl.Observe(now.Sub(sw.lastFlush).Seconds())
		}
		for range sw.pending - 1 {
			sw.itl.Observe(0)
		}
	}
	sw.tokenFlush++
	sw.lastFlush = now
	if sw.truth != nil {
		us := now.Sub(sw.received).Microseconds()
		for range sw.pending {
			sw.truth = append(sw.truth, us)
		}
	}
	sw.pending = 0
}

// pacer waits between events of a paced stream (time scale > 0): it
// flushes, then sleeps until the deadline, sending a keep-alive comment
// every keepAlive of silence. One timer serves the whole response.
type pacer struct {
	ctx       context.Context
	closing   <-chan struct{}
	timer     *time.Timer
	keepAlive time.Duration
}

// until flushes sw and waits until t. It returns false if the request or
// the server was cancelled meanwhile, or the client is gone.
//
// It flushes even when t has already passed, so a paced stream is flushed
// once per event however late it runs.
func (p *pacer) until(sw *sseWriter, t time.Time) bool {
	for {
		sw.flush()
		if sw.err != nil {
			return false
		}
		d := time.Until(t)
		if d <= 0 {
			return true
		}
		comment := false
		if p.keepAlive > 0 && d > p.keepAlive {
			d, comment = p.keepAlive, true
		}
		if p.timer == nil {
			p.timer = time.NewTimer(d)
		} else {
			p.timer.Reset(d)
		}
		select {
		case <-p.timer.C:
		case <-p.ctx.Done():
			p.timer.Stop()
			return false
		case <-p.closing:
			p.timer.Stop()
			return false
		}
		if comment {
			sw.comment()
		}
	}
}
