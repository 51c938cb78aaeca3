package mockserver

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Flavours: which hosted gateway the mock plays. The request body and the
// SSE stream are the same OpenAI-compatible shape in both (so the openai Go
// clients parse either); paths, the error vocabulary, response ids and the
// model id echoed back differ.
const (
	// FlavorOpenAI serves /v1/..., OpenAI error types and codes, chatcmpl-
	// ids, and echoes the model as configured. EvoLink is this flavour
	// (https://docs.evolink.ai/en/api-manual/language-series/doubao-seed-2.0/doubao-seed-2.0-reference).
	FlavorOpenAI = "openai"
	// FlavorArk plays Volcengine Ark direct: /api/v3/chat/completions, Ark's
	// error envelope (type BadRequest/Unauthorized/NotFound/TooManyRequests,
	// dotted codes, "Request id: …" in the message; see
	// https://www.volcengine.com/docs/82379/1299023), bare hex response ids,
	// an X-Request-Id header, service_tier, and the versioned model id
	// echoed (doubao-seed-2-0-pro-260215) whatever spelling was sent.
	FlavorArk = "ark"
)

// arkPrefix is Ark's API root: https://ark.cn-beijing.volces.com/api/v3.
const arkPrefix = "/api/v3"

// arkVersion is the release suffix Ark gives Seed 2.0's model ids
// (doubao-seed-2-0-pro-260215, doubao-seed-2-0-code-preview-260215).
const arkVersion = "260215"

// route maps a request path to the mock's own route: in the Ark flavour the
// API lives under /api/v3 and /v1 is unknown, as on Ark.
func (s *Server) route(path string) string {
	if s.cfg.Flavor != FlavorArk {
		// The Context API is Ark's: the OpenAI flavour serves it under
		// Ark's root as well as its own.
		if rest, ok := strings.CutPrefix(path, arkPrefix+"/context/"); ok {
			return "/v1/context/" + rest
		}
		return path
	}
	switch {
	case strings.HasPrefix(path, arkPrefix+"/"):
		return "/v1" + path[len(arkPrefix):]
	case strings.HasPrefix(path, "/v1/"):
		return "" // not Ark's
	}
	return path
}

// canonicalModel folds the spellings gateways use for one Seed model to
// one key: case, "." versus "-" ("seed-2.0" and "seed-2-0"), Ark's release
// suffix ("-260215") and the code model's "-preview".
func canonicalModel(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, ".", "-")
	if i := strings.LastIndexByte(s, '-'); i >= 0 && len(s)-i-1 == 6 && isDigits(s[i+1:]) {
		s = s[:i]
	}
	return strings.TrimSuffix(s, "-preview")
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// lookup finds the model a request names: its configured id exactly; an
// endpoint id from Config.Endpoints; or, in the Ark flavour, any spelling
// canonicalModel folds to a configured id (Ark accepts versioned ids; the
// OpenAI flavour, like EvoLink, knows only its own names).
func (s *Server) lookup(name string) *model {
	if m := s.models[name]; m != nil {
		return m
	}
	if to, ok := s.cfg.Endpoints[name]; ok {
		return s.models[to]
	}
	if s.cfg.Flavor != FlavorArk {
		return nil
	}
	c := canonicalModel(name)
	for _, n := range s.names {
		if canonicalModel(n) == c {
			return s.models[n]
		}
	}
	return nil
}

// echoModel is the model id a response carries: Ark echoes the versioned
// id of the model it served (the code model is still a preview there).
func (s *Server) echoModel(m *model) string {
	if s.cfg.Flavor != FlavorArk {
		return m.name
	}
	c := canonicalModel(m.name)
	if strings.HasSuffix(c, "-code") {
		c += "-preview"
	}
	return c + "-" + arkVersion
}

// responseID is the response id: chatcmpl-… in the OpenAI flavour; on Ark
// a bare hex id, "021", the millisecond clock and hex digits from the
// request's seed (0217714854126607f5a9cf8ed5b018c76e4ad3dc2810db57ffb50).
func (s *Server) responseID(pl *plan, received time.Time) string {
	if s.cfg.Flavor != FlavorArk {
		return completionID(pl)
	}
	const hex = "0123456789abcdef"
	b := make([]byte, 0, 53)
	b = append(b, "021"...)
	b = strconv.AppendInt(b, received.UnixMilli(), 10)
	x, y := pl.timing.Uint64(), pl.timing.Uint64()
	for i := 0; len(b) < cap(b); i++ {
		v := x
		if i >= 16 {
			v = y
		}
		b = append(b, hex[v>>(4*(i%16))&0xf])
	}
	return string(b)
}

// writeError writes e in the flavour's envelope. Ark's has the same four
// fields as OpenAI's, with its own vocabulary: the type is the HTTP status's
// name, the codes are Ark's, and the message ends with the request id.
func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	if s.cfg.Flavor != FlavorArk {
		e.write(w)
		return
	}
	a := *e
	a.typ = arkType(e.status)
	a.code = arkCode(e)
	id := strconv.FormatUint(s.seq.Load(), 16)
	w.Header().Set("X-Request-Id", id)
	a.message = strings.TrimRight(e.message, ". ") + ". Request id: " + id
	a.write(w)
}

// arkType names a status as Ark's envelope does.
func arkType(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "BadRequest"
	case http.StatusUnauthorized:
		return "Unauthorized"
	case http.StatusForbidden:
		return "Forbidden"
	case http.StatusNotFound:
		return "NotFound"
	case http.StatusTooManyRequests:
		return "TooManyRequests"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	}
	if status >= 500 {
		return "InternalServiceError"
	}
	return strings.ReplaceAll(http.StatusText(status), " ", "")
}

// arkCode is Ark's code for one of the mock's errors (codes Ark shares, the
// RateLimitExceeded.* family and ServerOverloaded, pass through).
func arkCode(e *apiError) string {
	switch e.code {
	case "invalid_value", "context_length_exceeded":
		// Ark has no code of its own for an over-long prompt: it is an
		// InvalidParameter whose message says so.
		if e.param != "" {
			return "InvalidParameter." + e.param
		}
		return "InvalidParameter"
	case "missing_required_parameter":
		return "MissingParameter"
	case "model_not_found":
		return "InvalidEndpointOrModel.NotFound"
	case "invalid_api_key":
		return "AuthenticationError"
	case "not_found":
		return "NotFound"
	case "internal_error":
		return "InternalServiceError"
	}
	return e.code
}
