package mockserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
)

// admin serves /admin/faults to loopback clients only:
//
//	GET  /admin/faults                  → {"model": Faults, …}
//	PUT  /admin/faults?model=NAME       body: Faults JSON; replaces NAME's rates
//	PUT  /admin/faults                  body: Faults JSON; replaces every model's
//
// Durations in the JSON are nanoseconds (time.Duration). When the server
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
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
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
		var f Faults
		dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			jsonError(err).write(w)
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
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"updated": names, "faults": f})
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
