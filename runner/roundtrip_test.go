package runner

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestSenderAsClientDo: the transport path and Client.Do give the same
// error text, the same un-followed redirect, and URL credentials still
// become basic auth (through the client).
func TestSenderAsClientDo(t *testing.T) {
	var gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/chat/completions"
	ln.Close()

	base := NewHTTPClient(4, DefaultTimeouts, false)
	defer base.CloseIdleConnections()
	noRedirect := *base
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s := newSender(&noRedirect)
	if s.rt == nil {
		t.Fatal("a plain client should be used through its transport")
	}
	post := func(url string) *http.Request {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte("{}")))
		if err != nil {
			t.Fatal(err)
		}
		return req
	}

	// a refused connection, and HTTPS to a plain-HTTP server
	for _, url := range []string{refused, strings.Replace(srv.URL, "http://", "https://", 1)} {
		_, viaClient := noRedirect.Do(post(url))
		_, viaSender := s.do(post(url))
		if viaClient == nil || viaSender == nil || viaClient.Error() != viaSender.Error() {
			t.Fatalf("%s: Client.Do %v, sender %v", url, viaClient, viaSender)
		}
	}

	resp, err := s.do(post(srv.URL + "/chat/completions"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("redirect: got %d, want the 307 itself", resp.StatusCode)
	}

	withUser := strings.Replace(srv.URL, "http://", "http://user:secret@", 1) + "/chat/completions"
	resp, err = s.do(post(withUser))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.HasPrefix(gotAuth, "Basic ") {
		t.Fatalf("URL credentials: Authorization %q, want basic auth as Client.Do sends", gotAuth)
	}
}
