package run

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/seedbench/seedbench/runner"
	"github.com/seedbench/seedbench/scenarios"
)

// createContexts creates, before the load, every prefix group the plan
// caches through the Context API, once per target (POST
// {base}/context/create, mode common_prefix; see scenarios/contextcache.go
// for the references), hands the ids to the plan's requests and returns
// what the results header records. The contexts are not deleted at the
// end: the service documents no call that does, so each expires TTL after
// its last use, and the report bills its storage until then.
//
// A refusal (a prefix under the minimum, a TTL out of range, a target
// without the Context API: a 4xx other than 429; a redirect) is bad input, exit 2: the
// run would only repeat it. Anything else means the run cannot start.
func createContexts(ctx context.Context, plan *scenarios.Plan, targets []runner.Target, timeouts runner.Timeouts, insecure bool) ([]runner.ContextInfo, error) {
	groups := plan.Source.ContextGroups()
	if len(groups) == 0 {
		return nil, nil
	}
	client := runner.NewHTTPClient(1, timeouts, insecure)
	defer client.CloseIdleConnections()
	// Never follow a redirect, as the load's own requests never do: the
	// target's headers would go to another host and a 307 would re-send the
	// body there. The 3xx is a refusal, said with its status.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var infos []runner.ContextInfo
	ids := make([][]string, len(targets))
	for ti := range targets {
		t := &targets[ti]
		scrub := t.Scrubber()
		for _, g := range groups {
			// A server that sends headers and then nothing must not hold
			// the run at its start: the whole call gets the request deadline.
			cctx, cancel := ctx, context.CancelFunc(func() {})
			if timeouts.Total > 0 {
				cctx, cancel = context.WithTimeout(ctx, timeouts.Total)
			}
			id, tokens, created, err := createContext(cctx, client, t, plan.Source.ContextCreateBody(ti, g))
			cancel()
			if err != nil {
				msg := fmt.Sprintf("target %s: creating the context for prefix set %s, group %d: %s", t.Name, g.Set, g.Group, scrub.Clean(err.Error(), 500))
				if re, ok := err.(refusal); ok && re.status >= 300 && re.status < 500 && re.status != http.StatusTooManyRequests {
					return infos, badInput("%s", msg)
				}
				return infos, untrusted(errors.New(msg))
			}
			ids[ti] = append(ids[ti], id)
			infos = append(infos, runner.ContextInfo{Target: t.Name, Set: g.Set, Group: g.Group, ID: id, Mode: "common_prefix",
				TTLS: int64(g.TTL / time.Second), Created: created, Tokens: tokens})
		}
	}
	plan.Source.SetContextIDs(ids)
	return infos, nil
}

// createContext makes one create call and returns the context's id, its
// size as the server counted it, and when it was created (when the answer
// came: its TTL runs from then).
func createContext(ctx context.Context, client *http.Client, t *runner.Target, body []byte) (string, int, time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(t.BaseURL, "/")+runner.ContextCreatePath, bytes.NewReader(body))
	if err != nil {
		return "", 0, time.Time{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if t.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+t.APIKey)
	}
	for k, v := range t.Headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", 0, time.Time{}, err
	}
	defer resp.Body.Close()
	created := time.Now()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", 0, time.Time{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return "", 0, time.Time{}, refusal{resp.StatusCode, string(bytes.TrimSpace(b))}
	}
	var out struct {
		ID    string `json:"id"`
		Usage struct {
			PromptTokens int `json:"prompt_tokens"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return "", 0, time.Time{}, fmt.Errorf("the answer is not a context: %v", err)
	}
	if !contextIDOK(out.ID) {
		return "", 0, time.Time{}, fmt.Errorf("the answer's id %q is not a context id", out.ID)
	}
	return out.ID, out.Usage.PromptTokens, created, nil
}

// refusal is a create call the server answered with an error status.
type refusal struct {
	status int
	body   string
}

func (r refusal) Error() string { return fmt.Sprintf("HTTP %d: %s", r.status, r.body) }

// contextIDOK: an id every request body can carry as it is (letters,
// digits, '-', '_', at most 128 bytes), so a strange answer cannot break
// the JSON of every request.
func contextIDOK(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
