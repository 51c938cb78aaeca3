package mockserver

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"

	"github.com/goccy/go-yaml"
)

// admin serves /admin/faults to loopback clients only:
//
//	GET  /admin/faults                  → {"model": Faults, …}
//	PUT  /admin/faults?model=NAME       body: Faults JSON; replaces NAME's rates
//	PUT  /admin/faults                  body: Faults JSON; replaces every model's
//
// The body is a JSON (or YAML) object with the fields of Faults, durations
// as strings ("2s"); it replaces the whole fault set, so {} clears it.
// Answers are the resulting fault sets by model, in JSON. When the server
// has an API key, the admin endpoint requires it too.
func (s *Server) admin(w http.ResponseWriter, r *http.Request) {
	if !isLoopback(r.RemoteAddr) {
		(&apiError{status: http.StatusForbidden, typ: "invalid_request_error", code: "forbidden",
			message: "the admin endpoint only answers loopback clients"}).write(w)
		return
	}
	if !s.authorized(w, r) {
		return
	}
	switch r.Method {
	case http.MethodGet:
		out := make(map[string]Faults, len(s.models))
		for name, m := range s.models {
			out[name] = *m.faults.Load()
		}
		writeFaultsJSON(w, out)
	case http.MethodPut, http.MethodPost:
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
		// A fault set is a few hundred bytes: a larger body is refused,
		// not cut (a cut body could still parse, as something else).
		const limit = 1 << 16
		body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			errInvalid("", "reading the body: "+err.Error()).write(w)
			return
		}
		if len(body) > limit {
			errTooLarge(limit).write(w)
			return
		}
		var f Faults
		// JSON is YAML, and the YAML decoder reads durations as "2s".
		if err := yaml.UnmarshalWithOptions(body, &f, yaml.DisallowUnknownField()); err != nil {
			errInvalid("faults", "faults: "+yamlError("body", err).Error()).write(w)
			return
		}
		if err := f.validate(); err != nil {
			errInvalid("faults", fmt.Sprintf("faults: %v", err)).write(w)
			return
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
	default:
		allow(w, r, http.MethodGet, http.MethodPut, http.MethodPost)
	}
}

func isLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
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
