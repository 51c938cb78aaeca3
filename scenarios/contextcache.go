package scenarios

import (
	"encoding/json"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Prefix-set modes: how a shared prefix reaches the server's cache.
//
//   - implicit (the default): every request sends the prefix as its first
//     message and the server's own prefix cache finds it.
//   - context_api: Volcengine Ark's explicit cache. Before the load the run
//     creates each prefix once per (target, group) with POST
//     {base}/context/create, mode common_prefix
//     (https://www.volcengine.com/docs/82379/1346559; BytePlus mirror
//     https://docs.byteplus.com/en/docs/ModelArk/1346559), and every request
//     of the group goes to POST {base}/context/chat/completions with the
//     context_id and without the prefix's messages
//     (https://www.volcengine.com/docs/82379/1346560: "in prefix-cache mode
//     the initial messages are not sent again"). Ark documents no call that
//     deletes a context, so the run lets it expire: its TTL restarts with
//     every use, and storage is billed until it runs out (see
//     ContextStorageHours).
const (
	PrefixImplicit   = "implicit"
	PrefixContextAPI = "context_api"
)

// Ark's bounds on a context's TTL: "from 1 hour to 7 days, i.e. [3600,
// 604800]" seconds, default 86400 (context/create, cited above).
const (
	ContextMinTTL     = time.Hour
	ContextMaxTTL     = 7 * 24 * time.Hour
	ContextDefaultTTL = 24 * time.Hour
)

// ContextMinTokens is the least a prefix cache holds. Ark's pages give the
// figure only as "about 1,024 tokens" for its caches (the same minimum
// other hosted explicit caches document); the mock refuses smaller
// contexts and its implicit cache serves no shorter prefix, so that a
// benchmark on the mock saves what the service would.
const ContextMinTokens = 1024

// ContextMode is the prefix set's mode, the default spelled out.
func (ps PrefixSet) ContextMode() string {
	if ps.Mode == "" {
		return PrefixImplicit
	}
	return ps.Mode
}

// ContextTTL is the set's context TTL (ContextDefaultTTL when unset; an
// invalid value was refused by validation).
func (ps PrefixSet) ContextTTL() time.Duration {
	if ps.TTL.D <= 0 { // not given, or not a duration
		return ContextDefaultTTL
	}
	return ps.TTL.D
}

// ContextStorageHours is how long a context is stored, and billed, when
// it is created at created, last used at lastUsed and then left to
// expire: until lastUsed + ttl, since every use restarts the TTL.
func ContextStorageHours(created, lastUsed time.Time, ttl time.Duration) float64 {
	if lastUsed.Before(created) {
		lastUsed = created
	}
	return lastUsed.Add(ttl).Sub(created).Hours()
}

// validateContext checks a prefix set's mode and TTL: a TTL only with the
// Context API and within Ark's bounds, a prefix no shorter than the
// minimum, the mix as the source of requests, and every target a server
// that has the Context API: Ark, or the mock (built-in or on this machine).
func (s *Scenario) validateContext(d *decoder, p string, ps PrefixSet) {
	switch ps.Mode {
	case "", PrefixImplicit:
		if !ps.TTL.IsZero() {
			d.fail(p+".ttl", "applies only to mode: %s (an implicit cache keeps what it likes)", PrefixContextAPI)
		}
		return
	case PrefixContextAPI:
	default:
		d.fail(p+".mode", "%q is not one of %s, %s", ps.Mode, PrefixImplicit, PrefixContextAPI)
		return
	}
	if !ps.TTL.IsZero() {
		ttl, err := ps.TTL.D, ps.TTL.Err()
		switch {
		case err != nil:
			d.fail(p+".ttl", "%v", err)
		case ttl < ContextMinTTL || ttl > ContextMaxTTL:
			d.fail(p+".ttl", "%s is outside Ark's range for a context's TTL, 1h to 7d (3600..604800 s)", ps.TTL)
		case ttl%time.Second != 0:
			d.fail(p+".ttl", "%s is not a whole number of seconds (Ark takes the TTL in seconds)", ps.TTL)
		}
	}
	if ps.Tokens > 0 && ps.Tokens < ContextMinTokens {
		d.fail(p+".tokens", "%d is below the %d tokens a context cache needs at least (the service refuses a smaller one)", ps.Tokens, ContextMinTokens)
	}
	if !s.Source.IsZero() {
		d.fail(p+".mode", "%s needs requests from the mix, not from a source file", PrefixContextAPI)
	}
	if !s.Sessions.IsZero() {
		// A session's turns carry their history; a context holds one fixed
		// prefix (Ark's session mode, which rewrites itself, is another API).
		d.fail(p+".mode", "%s does not combine with sessions (a context holds one fixed prefix)", PrefixContextAPI)
	}
	for i, t := range s.Targets {
		if !hasContextAPI(t) {
			g, _ := GatewayOf(t)
			d.fail(p+".mode", "%s needs the Context API, which targets[%d] (%s, gateway %s) does not have: use an Ark target (gateway: ark) or the mock",
				PrefixContextAPI, i, t.Name, g)
		}
	}
}

// hasContextAPI: Ark has the Context API, and so does the mock, built in
// (no base URL) or served on this machine (a loopback URL).
func hasContextAPI(t Target) bool {
	if g, _ := GatewayOf(t); g == GatewayArk || t.BaseURL == "" {
		return true
	}
	u, err := url.Parse(t.BaseURL)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// ContextGroup is one prefix group cached through the Context API: the run
// creates it once per target before the load.
type ContextGroup struct {
	Set    string        // the prefix set's name
	Group  int           // the global prefix group (runner.Request.Prefix)
	Tokens int           // the set's planned prefix length (server tokens)
	TTL    time.Duration // the set's TTL
}

// ContextGroups lists the prefix groups whose requests use the Context API,
// in group order; none for a scenario without a context_api set.
func (src *Source) ContextGroups() []ContextGroup { return src.contexts }

// SetContextIDs gives the ids the service returned for the context
// groups: ids[ti][i] is target ti's context for ContextGroups()[i]. Like
// SetNonce it changes what requests carry, not the plan; call it before
// the load.
func (src *Source) SetContextIDs(ids [][]string) {
	src.contextIDs = map[[2]int]string{}
	for ti, row := range ids {
		for i, id := range row {
			src.contextIDs[[2]int{ti, src.contexts[i].Group}] = id
		}
	}
}

// ContextCreateBody is the body of the context/create call for target ti
// and context group g: the target's model, the prefix as a system
// message (the same text an implicit request starts with), mode
// common_prefix and the TTL in seconds.
func (src *Source) ContextCreateBody(ti int, g ContextGroup) []byte {
	t := &src.targets[ti]
	units := src.prefixUnits[g.Group-1]
	b := make([]byte, 0, 128+src.corpus.bytesFor(src.prefixStart[g.Group-1], units))
	b = append(b, `{"model":`...)
	name, _ := json.Marshal(t.name)
	b = append(b, name...)
	b = append(b, `,"mode":"common_prefix","ttl":`...)
	b = strconv.AppendInt(b, int64(g.TTL/time.Second), 10)
	b = append(b, `,"messages":[{"role":"system","content":"`...)
	b = src.corpus.appendUnits(b, src.prefixStart[g.Group-1], units)
	return append(b, `"}]}`...)
}

// contextID is the id requests of group g to target ti carry ("" before
// SetContextIDs: a dry run or a description).
func (src *Source) contextID(ti, g int) string { return src.contextIDs[[2]int{ti, g}] }
