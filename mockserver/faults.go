package mockserver

import (
	"errors"
	"fmt"
	"time"
)

// Faults are per-request injection rates (probabilities in 0..1). One
// uniform draw per request picks at most one fault, so the rates must sum to
// at most 1. Which request gets which fault is a function of Config.Seed and
// the request's number (see the package doc), so a run can be replayed.
type Faults struct {
	HTTP429 float64 `yaml:"http_429" json:"http_429,omitempty"`
	HTTP500 float64 `yaml:"http_500" json:"http_500,omitempty"`
	HTTP503 float64 `yaml:"http_503" json:"http_503,omitempty"`
	// ResetBeforeHeaders closes the connection before any response byte.
	ResetBeforeHeaders float64 `yaml:"reset_before_headers" json:"reset_before_headers,omitempty"`
	// SlowHeaders delays the response headers by SlowHeadersFor.
	SlowHeaders    float64       `yaml:"slow_headers" json:"slow_headers,omitempty"`
	SlowHeadersFor time.Duration `yaml:"slow_headers_for" json:"slow_headers_for,omitempty"`
	// ErrorEvent sends `data: {"error":{...}}` mid-stream and ends the body
	// without [DONE].
	ErrorEvent float64 `yaml:"error_event" json:"error_event,omitempty"`
	// Truncate ends the body mid-stream, cleanly, without [DONE].
	Truncate float64 `yaml:"truncate" json:"truncate,omitempty"`
	// Stall pauses the stream for StallFor mid-stream, then carries on.
	Stall    float64       `yaml:"stall" json:"stall,omitempty"`
	StallFor time.Duration `yaml:"stall_for" json:"stall_for,omitempty"`
	// InvalidJSON replaces one mid-stream event by a line that is not JSON.
	InvalidJSON float64 `yaml:"invalid_json" json:"invalid_json,omitempty"`
	// KeepAliveOnly sends only ": keep-alive" comments for KeepAliveFor
	// (one every KeepAliveEvery) mid-stream, then carries on.
	KeepAliveOnly  float64       `yaml:"keep_alive_only" json:"keep_alive_only,omitempty"`
	KeepAliveFor   time.Duration `yaml:"keep_alive_for" json:"keep_alive_for,omitempty"`
	KeepAliveEvery time.Duration `yaml:"keep_alive_every" json:"keep_alive_every,omitempty"`
	// CRLF ends every line of the stream with \r\n instead of \n.
	CRLF float64 `yaml:"crlf" json:"crlf,omitempty"`
	// BigEvent makes one mid-stream content event about 1 MiB long (the
	// padding is in an extension field; the content is unchanged).
	BigEvent float64 `yaml:"big_event" json:"big_event,omitempty"`
	// HTTP429NoRetryAfter is a 429 without a Retry-After header, as some
	// gateways send: the client must pick its own back-off.
	HTTP429NoRetryAfter float64 `yaml:"http_429_no_retry_after" json:"http_429_no_retry_after,omitempty"`
	// ResetMidStream aborts the connection with a TCP RST mid-stream (a
	// crashed backend or a proxy killing the connection), where Truncate
	// ends the body cleanly.
	ResetMidStream float64 `yaml:"reset_mid_stream" json:"reset_mid_stream,omitempty"`
	// NoUsage leaves out the usage chunk even when the request asked for
	// it (stream_options.include_usage), as some gateways do; the stream
	// is otherwise complete.
	NoUsage float64 `yaml:"no_usage" json:"no_usage,omitempty"`
}

// MaxFaultDuration caps every fault duration (slow_headers_for, stall_for,
// keep_alive_for, keep_alive_every): longer than any client timeout worth
// testing, short enough that a mistyped "1000000h" cannot hold a
// connection and its goroutine for good.
const MaxFaultDuration = 10 * time.Minute

// faultKind is the one fault chosen for a request.
type faultKind uint8

const (
	faultNone faultKind = iota
	fault429
	fault500
	fault503
	faultReset
	faultSlowHeaders
	faultErrorEvent
	faultTruncate
	faultStall
	faultInvalidJSON
	faultKeepAliveOnly
	faultCRLF
	faultBigEvent
	// Kinds added later go last: the order lays the rates end to end on
	// [0,1), so inserting one would change which request gets which fault
	// for existing configs.
	fault429NoRetryAfter
	faultResetMidStream
	faultNoUsage
)

var faultNames = [...]string{
	faultNone: "none", fault429: "http_429", fault500: "http_500", fault503: "http_503",
	faultReset: "reset_before_headers", faultSlowHeaders: "slow_headers",
	faultErrorEvent: "error_event", faultTruncate: "truncate", faultStall: "stall",
	faultInvalidJSON: "invalid_json", faultKeepAliveOnly: "keep_alive_only",
	faultCRLF: "crlf", faultBigEvent: "big_event",
	fault429NoRetryAfter: "http_429_no_retry_after", faultResetMidStream: "reset_mid_stream", faultNoUsage: "no_usage",
}

func (k faultKind) String() string { return faultNames[k] }

// rates lists the rates in faultKind order (index 0 unused).
func (f Faults) rates() [len(faultNames)]float64 {
	return [len(faultNames)]float64{
		fault429: f.HTTP429, fault500: f.HTTP500, fault503: f.HTTP503,
		faultReset: f.ResetBeforeHeaders, faultSlowHeaders: f.SlowHeaders,
		faultErrorEvent: f.ErrorEvent, faultTruncate: f.Truncate, faultStall: f.Stall,
		faultInvalidJSON: f.InvalidJSON, faultKeepAliveOnly: f.KeepAliveOnly,
		faultCRLF: f.CRLF, faultBigEvent: f.BigEvent,
		fault429NoRetryAfter: f.HTTP429NoRetryAfter, faultResetMidStream: f.ResetMidStream, faultNoUsage: f.NoUsage,
	}
}

// pick maps one uniform draw u in [0,1) to a fault: the rates are laid end
// to end on [0,1) and u falls in one of them or past their sum (no fault).
func (f Faults) pick(u float64) faultKind {
	r := f.rates()
	acc := 0.0
	for k := 1; k < len(r); k++ {
		acc += r[k]
		if u < acc {
			return faultKind(k)
		}
	}
	return faultNone
}

func (f Faults) validate() error {
	var errs []error
	for _, fe := range f.problems() {
		errs = append(errs, fe)
	}
	return errors.Join(errs...)
}

func (f Faults) problems() []fieldError {
	r := f.rates()
	sum := 0.0
	var errs []fieldError
	for k := 1; k < len(r); k++ {
		if !(r[k] >= 0 && r[k] <= 1) {
			errs = append(errs, fieldError{faultKind(k).String(), fmt.Sprintf("rate %v must be in 0..1", r[k])})
		}
		sum += r[k]
	}
	if sum > 1+1e-9 {
		errs = append(errs, fieldError{"", fmt.Sprintf("the fault rates sum to %v, more than 1 (one draw picks at most one fault)", sum)})
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"slow_headers_for", f.SlowHeadersFor}, {"stall_for", f.StallFor}, {"keep_alive_for", f.KeepAliveFor}, {"keep_alive_every", f.KeepAliveEvery}} {
		if d.v < 0 {
			errs = append(errs, fieldError{d.name, fmt.Sprintf("%v must not be negative", d.v)})
		}
		if d.v > MaxFaultDuration {
			errs = append(errs, fieldError{d.name, fmt.Sprintf("%v is longer than the %v a fault may last", d.v, MaxFaultDuration)})
		}
	}
	return errs
}

// withDefaults fills the durations a rate needs but the user left out.
func (f Faults) withDefaults() Faults {
	if f.SlowHeadersFor == 0 {
		f.SlowHeadersFor = 5 * time.Second
	}
	if f.StallFor == 0 {
		f.StallFor = 10 * time.Second
	}
	if f.KeepAliveFor == 0 {
		f.KeepAliveFor = 5 * time.Second
	}
	if f.KeepAliveEvery == 0 {
		f.KeepAliveEvery = time.Second
	}
	return f
}
