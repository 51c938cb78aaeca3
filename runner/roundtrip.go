package runner

import (
	"crypto/tls"
	"net/http"
	"net/url"
)

// sender is how the streamer hands a request over: straight to the
// client's transport when the client adds nothing a load request uses (no
// cookie jar, no overall timeout, no credentials in the URL, which Client.Do
// turns into basic auth), else through the client. Client.Do's redirect
// machinery copies every request's headers for a redirect the runner never
// follows (newStreamer refuses them all) and builds a redirect loop around
// each request: about 6 % of the allocations of a one-token request. An
// error is wrapped as Client.Do wraps it (`Post "URL": …`, and a plain-HTTP
// answer to a TLS handshake said as http.ErrSchemeMismatch), so messages
// are the same either way. One difference: a 3xx whose Location does not
// parse is recorded as the 3xx it is, where Client.Do fails the request.
type sender struct {
	client *http.Client
	rt     http.RoundTripper // nil: always through client
}

func newSender(c *http.Client) sender {
	if c.Jar == nil && c.Timeout == 0 && c.Transport != nil {
		return sender{client: c, rt: c.Transport}
	}
	return sender{client: c}
}

func (s sender) do(req *http.Request) (*http.Response, error) {
	if s.rt == nil || req.URL.User != nil {
		return s.client.Do(req)
	}
	resp, err := s.rt.RoundTrip(req)
	if err != nil {
		if tlsErr, ok := err.(tls.RecordHeaderError); ok && string(tlsErr.RecordHeader[:]) == "HTTP/" {
			err = http.ErrSchemeMismatch // as Client.Do says it (golang.org/issue/11111)
		}
		return nil, &url.Error{Op: "Post", URL: req.URL.String(), Err: err}
	}
	return resp, nil
}
