package runner

import (
	"encoding/json"
	"time"
)

// Header is the first line of results.jsonl: what was run, so a results file
// can be re-reported without the scenario at hand.
type Header struct {
	Type        string          `json:"type"` // always "header"
	Tool        string          `json:"tool"` // "seedbench <version>"
	Scenario    string          `json:"scenario"`
	PlanHash    string          `json:"plan_hash,omitempty"` // identifies (scenario, seed): shards must agree
	Seed        int64           `json:"seed"`
	Start       time.Time       `json:"start"` // wall-clock instant that offset 0 stands for
	ShardIndex  int             `json:"shard_index"`
	ShardCount  int             `json:"shard_count"` // 1 for an unsharded run
	Targets     []TargetInfo    `json:"targets"`
	Resolved    json.RawMessage `json:"resolved_scenario,omitempty"` // the scenario after defaults and overrides
	TargetRate  float64         `json:"target_rate,omitempty"`       // mean planned req/s over open-loop stages
	PlannedSecs float64         `json:"planned_seconds,omitempty"`
	// Planned is the number of open-loop requests in the whole plan (every
	// shard's), 0 when unknown (closed-loop stages): merge uses it to find
	// requests that left no record.
	Planned int64 `json:"planned_requests,omitempty"`
	// Stages is the plan's load per stage, so the report can tell what was
	// asked from what was delivered (older files have none).
	Stages []StageInfo `json:"stages,omitempty"`
	// Preflight is the outcome of the check sent to each target before the
	// load (absent: none was made).
	Preflight []PreflightCheck `json:"preflight,omitempty"`
	// Contexts are the prefix caches the run created through the Context
	// API before the load (absent: none). They are billed apart from the
	// requests: creation once, storage by time.
	Contexts []ContextInfo `json:"contexts,omitempty"`
}

// The Context API's paths under a target's base URL (Volcengine Ark:
// https://www.volcengine.com/docs/82379/1346559 creates a context,
// https://www.volcengine.com/docs/82379/1346560 chats with one).
const (
	ContextCreatePath = "/context/create"
	ContextChatPath   = "/context/chat/completions"
)

// ContextInfo is one context the run created: a prefix group cached for one
// target. The run leaves it to expire (the service has no documented
// delete), TTL after its last use.
type ContextInfo struct {
	Target  string    `json:"target"`
	Set     string    `json:"prefix_set"`
	Group   int       `json:"prefix_group"`
	ID      string    `json:"id"`
	Mode    string    `json:"mode"` // "common_prefix"
	TTLS    int64     `json:"ttl_s"`
	Created time.Time `json:"created"`
	// Tokens is the context's size as the server counted it (the create
	// call's usage.prompt_tokens): what is billed as its creation and what
	// is stored.
	Tokens int `json:"tokens"`
}

// StageInfo is one stage of the plan as the results header records it.
type StageInfo struct {
	Name    string  `json:"name"`
	Warmup  bool    `json:"warmup,omitempty"`
	StartS  float64 `json:"start_s"` // offset of its start from the run's start
	Seconds float64 `json:"seconds"`
	// Rate is the stage's mean planned rate (req/s, all targets, every
	// shard); 0 for a closed-loop stage. Planned is its request count, -1
	// when unknown in advance (closed loop).
	Rate    float64 `json:"target_rate"`
	Planned int64   `json:"planned_requests"`
	Users   int     `json:"users,omitempty"` // closed loop
}

// TargetInfo describes a target without its credentials.
type TargetInfo struct {
	Name    string `json:"name"`
	Model   string `json:"model"`
	BaseURL string `json:"base_url"` // "builtin-mock" when the in-process mock served it
}

// Footer is the last line of a results file that was closed properly: the
// run's trust figures. A file without one was cut short (crash, SIGKILL).
type Footer struct {
	Type        string    `json:"type"` // always "footer"
	End         time.Time `json:"end"`
	Issued      int64     `json:"issued"`  // requests sent
	Dropped     int64     `json:"dropped"` // requests the plan wanted but max_in_flight refused
	Interrupted bool      `json:"interrupted,omitempty"`
	// Stopped says why the run stopped issuing before its plan ended
	// when it was not interrupted (a spend cap reached).
	Stopped string `json:"stopped,omitempty"`
	Trust   Trust  `json:"trust"`
}

// Trust says whether the generator kept up with its own schedule.
type Trust struct {
	// Schedule lag (sent − intended) of the open-loop requests sent.
	LagP50US int64 `json:"schedule_lag_p50_us"`
	LagP99US int64 `json:"schedule_lag_p99_us"`
	LagMaxUS int64 `json:"schedule_lag_max_us"`
	// Wake-up lag: how late a goroutine sleeping 10 ms in a loop woke up,
	// a measure of the machine (see wakeProbe).
	WakeupP50US int64 `json:"wakeup_lag_p50_us"`
	WakeupP99US int64 `json:"wakeup_lag_p99_us"`
	WakeupMaxUS int64 `json:"wakeup_lag_max_us"`
	Dropped     int64 `json:"dropped"`
	// CPUSeconds is the process's CPU time during the run; CPUShare that
	// divided by elapsed × GOMAXPROCS (1 = every core busy). With the
	// built-in mock the mock's work is included.
	CPUSeconds float64 `json:"generator_cpu_seconds"`
	CPUShare   float64 `json:"generator_cpu_share"`
	// StartSkewUS is actual start − agreed start (sharded runs).
	StartSkewUS int64 `json:"start_skew_us,omitempty"`
	// The verdict: LagP99US must not exceed LagLimitUS, derived from
	// TTFTP50US (see TrustLimit).
	TTFTP50US int64 `json:"ttft_p50_us,omitempty"`
	// LagSamples are the open-loop sends judged, LateSends those later
	// than LagLimitUS (see TrustLimit).
	LagSamples int64 `json:"schedule_lag_samples,omitempty"`
	LateSends  int64 `json:"sent_late,omitempty"`
	// The closed loop's own lag: each user's delay between its previous
	// answer and its next send (the generator's time, not the endpoint's),
	// and how many of those sends were later than LagLimitUS.
	UserDelayP50US   int64 `json:"user_send_delay_p50_us,omitempty"`
	UserDelayP99US   int64 `json:"user_send_delay_p99_us,omitempty"`
	UserDelayMaxUS   int64 `json:"user_send_delay_max_us,omitempty"`
	UserDelaySamples int64 `json:"user_send_delay_samples,omitempty"`
	UserDelayLate    int64 `json:"user_sent_late,omitempty"`
	// The host during the run: 1-minute load average at the end, CPU
	// steal over the run (share of CPU time), CPUs. They name the likely
	// cause when the run is untrustworthy.
	LoadAvg1      float64 `json:"load_average_1m,omitempty"`
	StealShare    float64 `json:"cpu_steal_share,omitempty"`
	CPUs          int     `json:"cpus,omitempty"`
	LagLimitUS    int64   `json:"schedule_lag_limit_us"`
	Untrustworthy bool    `json:"untrustworthy,omitempty"`
	Reason        string  `json:"reason,omitempty"`
}

// PreflightCheck is the outcome of the one small request sent to a target
// before the load started (see the run package): not part of the results.
type PreflightCheck struct {
	Target     string `json:"target"`
	Outcome    string `json:"outcome"` // PreflightOK, …
	HTTPStatus int    `json:"http_status,omitempty"`
	ErrorClass string `json:"error_class,omitempty"`
	Error      string `json:"error,omitempty"` // scrubbed like every record's
	E2EUS      int64  `json:"e2e_us,omitempty"`
}

// Preflight outcomes.
const (
	PreflightOK          = "ok"
	PreflightBuiltinMock = "builtin-mock" // passed without a request
	PreflightWarned      = "warned"       // failed in a way that says nothing about the configuration; the run went ahead
	PreflightFailed      = "failed"       // the run did not start
	PreflightSkipped     = "skipped"      // --no-preflight
)
