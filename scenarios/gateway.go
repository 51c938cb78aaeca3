package scenarios

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Gateway flavours: who serves a target, which decides the model-id forms it
// accepts (the error vocabulary is read by the runner whatever the flavour).
const (
	// GatewayArk is Volcengine Ark direct
	// (https://ark.cn-beijing.volces.com/api/v3): versioned model ids
	// (doubao-seed-2-0-pro-260215) or endpoint ids (ep-…), and Ark's error
	// codes (https://www.volcengine.com/docs/82379/1299023).
	GatewayArk = "ark"
	// GatewayEvoLink is EvoLink (https://api.evolink.ai/v1): its own names
	// (doubao-seed-2.0-pro), answering with the versioned id
	// (https://docs.evolink.ai/en/api-manual/language-series/doubao-seed-2.0/doubao-seed-2.0-reference).
	GatewayEvoLink = "evolink"
	// GatewayOpenAI is any other OpenAI-compatible server, the built-in
	// mock included.
	GatewayOpenAI = "openai"
)

var gateways = []string{GatewayArk, GatewayEvoLink, GatewayOpenAI}

// GatewayOf is the flavour of t: its gateway field, or guessed from its
// base URL (volces.com or byteplus, or an /api/v3 path: ark; evolink.ai:
// evolink; anything else, and the built-in mock: openai). guessed says
// which, so that the guess can be shown as one.
func GatewayOf(t Target) (flavor string, guessed bool) {
	if t.Gateway != "" {
		return t.Gateway, false
	}
	u, err := url.Parse(t.BaseURL)
	if t.BaseURL == "" || err != nil {
		return GatewayOpenAI, true
	}
	host := strings.ToLower(u.Hostname())
	switch {
	case strings.HasSuffix(host, "volces.com"), strings.HasSuffix(host, "bytepluses.com"), strings.HasPrefix(strings.TrimSuffix(u.Path, "/"), "/api/v3"):
		return GatewayArk, true
	case strings.HasSuffix(host, "evolink.ai"):
		return GatewayEvoLink, true
	}
	return GatewayOpenAI, true
}

// arkVersioned reports whether a model id has Ark's form: dashes only and
// a six-digit release suffix (doubao-seed-2-0-pro-260215).
func arkVersioned(model string) bool {
	i := strings.LastIndexByte(model, '-')
	return i > 0 && !strings.Contains(model, ".") && len(model)-i-1 == 6 && allDigits(model[i+1:])
}

// validateGateway checks the gateway field and warns when the model id is
// in a form the flavour does not serve: Ark wants versioned or endpoint ids,
// EvoLink its own dotted names. (An endpoint id without catalog_model is
// warned about as a model the catalog does not know.)
func (s *Scenario) validateGateway(d *decoder, p string, t Target) {
	if t.Gateway != "" && !slices.Contains(gateways, t.Gateway) {
		d.fail(p+".gateway", "%q is not one of %s", t.Gateway, strings.Join(gateways, ", "))
		return
	}
	g, _ := GatewayOf(t)
	ep := strings.HasPrefix(t.Model, "ep-")
	switch {
	case t.Model == "":
	case g == GatewayArk && !ep && !arkVersioned(t.Model):
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s.model: %q is not an Ark model id: Ark expects a versioned id (%s) or an endpoint id (ep-…)",
			p, t.Model, arkIDFor(t.Model)))
	case g == GatewayEvoLink && (ep || arkVersioned(t.Model)):
		s.Warnings = append(s.Warnings, fmt.Sprintf("%s.model: %q is an Ark id: EvoLink expects its own names (doubao-seed-2.0-pro, -lite, -mini, -code)", p, t.Model))
	}
}

// arkIDFor suggests Ark's id for a model name: dashes, and the Seed 2.0
// release suffix.
func arkIDFor(model string) string {
	m := strings.ReplaceAll(strings.ToLower(model), ".", "-")
	if strings.HasSuffix(m, "-code") {
		m += "-preview"
	}
	return m + "-260215"
}
