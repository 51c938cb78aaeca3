package mockserver

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/seedbench/seedbench/internal/yamlbound"
)

// admin serves /admin/faults to loopback clients only:
//
//	GET    /admin/faults                → {"model": Faults, …}
//	PUT    /admin/faults?model=NAME     body: Faults JSON; replaces NAME's rates
//	PUT    /admin/faults                body: Faults JSON; replaces every model's
//	DELETE /admin/faults[?model=NAME]   clears NAME's (or every model's) faults
//
// The body is a JSON object with the fields of Faults, durations as strings
// ("2s"), sent as Content-Type: application/json; it replaces the whole
// fault set, so {} clears it. Answers are the resulting fault sets by
// model, in JSON. When the server has an API key, the admin endpoint
// requires it too.
//
// A browser must not be able to drive it: a page on another site can send
// a cross-site POST with a form content type without asking first, so only
// GET, PUT and DELETE are served and a body must be declared JSON (either
// makes the browser ask the server, which never says yes). A page served
// by a name that resolves to 127.0.0.1 (DNS rebinding) sends its own name
// in Host, so the Host must be loopback as well as the client's address.
func (s *Server) admin(w http.ResponseWriter, r *http.Request) {
	if !isLoopback(r.RemoteAddr) {
		(&apiError{status: http.StatusForbidden, typ: "invalid_request_error", code: "forbidden",
			message: "the admin endpoint only answers loopback clients"}).write(w)
		return
	}
	if !loopbackHost(r.Host) {
		(&apiError{status: http.StatusForbidden, typ: "invalid_request_error", code: "forbidden",
			message: "the admin endpoint only answers requests addressed to localhost or a loopback address (Host " + strconv.Quote(r.Host) + ")"}).write(w)
		return
	}
	if !allow(w, r, http.MethodGet, http.MethodPut, http.MethodDelete) {
		return
	}
	if !s.authorized(w, r) {
		return
	}
	if r.Method == http.MethodGet {
		out := make(map[string]Faults, len(s.models))
		for name, m := range s.models {
			out[name] = *m.faults.Load()
		}
		writeFaultsJSON(w, out)
		return
	}
	var targets []*model
	if name := r.URL.Query().Get("model"); name != "" {
		m := s.models[name]
		if m == nil {
			errModelNotFound(name).write(w)
			return
		}
		targets = append(targets, m)
	} else {
		for _, n := range s.names {
			targets = append(targets, s.models[n])
		}
	}
	var f Faults
	if r.Method == http.MethodPut {
		var e *apiError
		if f, e = readFaults(r); e != nil {
			e.write(w)
			return
		}
	}
	f = f.withDefaults()
	names := make([]string, 0, len(targets))
	for _, m := range targets {
		m.faults.Store(&f)
		names = append(names, m.name)
	}
	sort.Strings(names)
	out := make(map[string]Faults, len(names))
	for _, n := range names {
		out[n] = f
	}
	writeFaultsJSON(w, out)
}

// adminBodyLimits: a fault set is a flat object of a few hundred bytes.
var adminBodyLimits = yamlbound.Limits{MaxBytes: 1 << 16, MaxDepth: 8, MaxNodes: 1000}

// readFaults decodes and checks a PUT body.
func readFaults(r *http.Request) (Faults, *apiError) {
	var f Faults
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return f, &apiError{status: http.StatusUnsupportedMediaType, typ: "invalid_request_error", code: "unsupported_media_type",
			message: "the admin endpoint takes Content-Type: application/json, got " + strconv.Quote(r.Header.Get("Content-Type"))}
	}
	// Larger than the limit is refused, not cut (a cut body could still
	// parse, as something else).
	limit := adminBodyLimits.MaxBytes
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		return f, errInvalid("", "reading the body: "+err.Error())
	}
	if len(body) > limit {
		return f, errTooLarge(int64(limit))
	}
	if !json.Valid(body) {
		return f, errInvalid("faults", "faults: the body is not valid JSON")
	}
	// JSON is YAML, and the YAML decoder reads durations as "2s"; the
	// bounds keep a deeply nested body from costing the parser memory.
	file, perr := parseBounded("body", body, adminBodyLimits)
	if perr == nil && len(file.Docs) == 1 && file.Docs[0].Body != nil {
		perr = yaml.NodeToValue(file.Docs[0].Body, &f, yaml.DisallowUnknownField())
		if perr != nil {
			perr = yamlError("body", perr)
		}
	}
	if perr != nil {
		return f, errInvalid("faults", "faults: "+perr.Error())
	}
	if err := f.validate(); err != nil {
		return f, errInvalid("faults", fmt.Sprintf("faults: %v", err))
	}
	return f, nil
}

func isLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loopbackHost reports whether a Host header names this machine:
// "localhost" (RFC 6761 reserves it and its subdomains to loopback) or a
// loopback address, with or without a port.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// writeFaultsJSON writes fault sets as JSON with durations as strings, the
// form PUT accepts.
func writeFaultsJSON(w http.ResponseWriter, byModel map[string]Faults) {
	b, err := yaml.MarshalWithOptions(byModel, yaml.JSON())
	if err != nil {
		errServer(http.StatusInternalServerError, "internal_error", "encoding faults: "+err.Error()).write(w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
