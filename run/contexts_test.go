package run

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seedbench/seedbench/mockserver"
	"github.com/seedbench/seedbench/mockserver/mocktest"
	"github.com/seedbench/seedbench/report"
	"github.com/seedbench/seedbench/scenarios"
)

// contextScenario caches two 2,000-token prefixes through the Context API;
// four requests in five use one of them.
const contextScenario = `name: context-e2e
targets:
  - name: lite
    model: doubao-seed-2.0-lite
mix:
  - name: agent
    weight: 1
    prompt_tokens: {dist: uniform, min: 2400, max: 3000}
    output_tokens: 16
prefix:
  - {name: docs, groups: 2, tokens: 2000, share: 80%, mode: context_api, ttl: 1h}
tokenizer: {ratio: 1.2315, overhead: 7}   # the mock's, as the built-in mock gets by default
load:
  seed: 5
  max_in_flight: 50
  stages:
    - kind: constant
      rate: 10/s
      duration: 2s
`

// TestContextAPIRun: a context_api scenario against the mock in its Ark
// flavour. The run creates one context per prefix group before the load and
// records them in the header (never as result records), the requests of a
// group go to the context chat endpoint and are served from the context, and
// the report bills creation, cache reads and storage: its token-hours are
// the mock's own meter's at expiry.
func TestContextAPIRun(t *testing.T) {
	t.Parallel()
	cfg := mockserver.DefaultConfig()
	cfg.TimeScale = 0.02
	cfg.Flavor = mockserver.FlavorArk
	cfg.Admin = true
	root := mocktest.ServeRoot(t, cfg)

	sc := parse(t, contextScenario)
	o := options(t, sc, root+"/api/v3")
	o.Report.Pricing = report.CatalogPricing(scenarios.DefaultCatalog())
	var stdout bytes.Buffer
	o.Stdout = &stdout
	out, err := Execute(context.Background(), context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if out.Class != OK {
		t.Fatalf("class %v (%s)\n%s", out.Class, out.Reason, stdout.String())
	}

	// The header records both contexts, as the mock counted them.
	h := out.Header
	if len(h.Contexts) != 2 {
		t.Fatalf("header contexts %+v", h.Contexts)
	}
	for i, c := range h.Contexts {
		if c.Target != "lite" || c.Set != "docs" || c.Group != i+1 || !strings.HasPrefix(c.ID, "ctx-") || c.TTLS != 3600 ||
			c.Mode != "common_prefix" || c.Tokens < 1990 || c.Tokens > 2030 || c.Created.IsZero() {
			t.Errorf("context %d: %+v", i, c)
		}
	}
	// No record stands for a create call: every record is a planned request.
	f, err := os.Open(out.ResultsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	viaContext, records := 0, 0
	sc2 := bufio.NewScanner(f)
	sc2.Buffer(nil, 1<<20)
	for sc2.Scan() {
		var r struct {
			Type   string `json:"type"`
			K      int64  `json:"k"`
			Prefix int    `json:"prefix_group"`
			Usage  *struct {
				Prompt int `json:"prompt_tokens"`
				Cached int `json:"cached_tokens"`
			} `json:"usage"`
		}
		if err := json.Unmarshal(sc2.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Type == "header" || r.Type == "footer" {
			continue
		}
		records++
		if r.K < 0 {
			t.Errorf("record k %d is not a planned request", r.K)
		}
		if r.Prefix > 0 && r.Usage != nil {
			viaContext++
			// The whole context is served from cache.
			if c := h.Contexts[r.Prefix-1].Tokens; r.Usage.Cached != c {
				t.Errorf("k %d: %d cached tokens, want the context's %d", r.K, r.Usage.Cached, c)
			}
		}
	}
	if records != 20 || viaContext == 0 {
		t.Fatalf("%d records, %d through a context", records, viaContext)
	}

	// The mock's meter: both contexts used, their storage at expiry.
	resp, err := http.Get(root + "/admin/contexts")
	if err != nil {
		t.Fatal(err)
	}
	var admin struct {
		Contexts []mockserver.ContextUsage `json:"contexts"`
	}
	err = json.NewDecoder(resp.Body).Decode(&admin)
	resp.Body.Close()
	if err != nil || len(admin.Contexts) != 2 {
		t.Fatalf("admin contexts: %v %+v", err, admin)
	}
	mockHours, uses := 0.0, int64(0)
	for _, c := range admin.Contexts {
		mockHours += c.AtExpiry
		uses += c.Uses
	}
	if uses != int64(viaContext) {
		t.Errorf("the mock saw %d context chats, the results %d", uses, viaContext)
	}

	cc := out.Summary.Targets[0].Cost.Context
	if cc == nil {
		t.Fatalf("no context cost in the summary:\n%s", stdout.String())
	}
	// Both measure created → last use + TTL; they differ by the time
	// between the client's stamps and the mock's (milliseconds of hours).
	if math.Abs(cc.TokenHours-mockHours) > 0.01*mockHours || cc.TokenHours < 2*1990 {
		t.Errorf("report %g token-hours, mock %g", cc.TokenHours, mockHours)
	}
	lite, _ := scenarios.DefaultCatalog().Lookup("doubao-seed-2.0-lite")
	if want := lite.StorageCost(cc.TokenHours, 3600e9); math.Abs(cc.Storage-want) > 1e-12 || cc.Storage <= 0 {
		t.Errorf("storage %g, want %g", cc.Storage, want)
	}
	if cc.Creation <= 0 || cc.CacheReads <= 0 || cc.Total <= out.Summary.Targets[0].Cost.Total {
		t.Errorf("context cost %+v", cc)
	}
	text := stdout.String()
	for _, want := range []string{"context cache (Context API, 2 contexts", "cache creation", "cache reads", "token-hours", "cache storage", "total with the cache"} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	// The Markdown and HTML reports carry the same bill.
	for _, f := range []string{"report.md", "report.html"} {
		b, err := os.ReadFile(filepath.Join(out.Dir, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"context cache (Context API, 2 contexts", "token-hours", "total with the cache"} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s lacks %q", f, want)
			}
		}
	}
}

// TestContextCreateNeverRedirected: a create call answered with a redirect
// is refused (bad input, naming the status), and the host it points to
// receives nothing: the target's headers and the prefix never leave for it.
func TestContextCreateNeverRedirected(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirecting.Close)

	o := options(t, parse(t, contextScenario), redirecting.URL+"/api/v3")
	o.Stdout = &bytes.Buffer{}
	o.NoPreflight = true // the preflight refuses a redirect too; this is the create call's own check
	_, err := Execute(context.Background(), context.Background(), o)
	if ClassOf(err) != BadInput || !strings.Contains(err.Error(), "creating the context") || !strings.Contains(err.Error(), "HTTP 307") {
		t.Fatalf("%v (class %v): want bad input naming the create call's redirect", err, ClassOf(err))
	}
	if n := elsewhere.Load(); n != 0 {
		t.Fatalf("the redirect's host received %d requests", n)
	}
}

// TestContextCreateDeadline: a create call whose answer never comes (the
// headers, then silence) ends at the request deadline, not never.
func TestContextCreateDeadline(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); silent.Close() })

	o := options(t, parse(t, contextScenario), silent.URL+"/api/v3")
	o.Stdout = &bytes.Buffer{}
	o.NoPreflight = true
	o.Timeouts.Total = 300 * time.Millisecond
	done := make(chan error, 1)
	go func() {
		_, err := Execute(context.Background(), context.Background(), o)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "creating the context") {
			t.Fatalf("err %v: want the create call's failure", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the run still waits for a create call that never answers")
	}
}
