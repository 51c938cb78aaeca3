package selfcheck

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestSplitSumsToTheError: the three parts add up to the TTFT error, the
// mock's write is taken from the first flush at or after the truth, and
// stamps from before it (the headers' flush) are skipped.
func TestSplitSumsToTheError(t *testing.T) {
	sent := time.Now()
	st := &reqStamps{entered: sent.Add(150 * time.Microsecond), flushes: []int64{30, 1000 + 40, 2100}}
	for _, tc := range []struct {
		truth, err int64
		want       ttftSplit
		ok         bool
	}{
		{truth: 1000, err: 450, want: ttftSplit{request: 150, mockWrite: 40, clientRead: 260}, ok: true},
		{truth: 2000, err: 300, want: ttftSplit{request: 150, mockWrite: 100, clientRead: 50}, ok: true},
		{truth: 3000, err: 300, ok: false}, // no flush after the truth: not this request's stamps
	} {
		got, ok := st.split(sent, tc.truth, tc.err)
		if ok != tc.ok || got != tc.want {
			t.Errorf("truth %d err %d: got %+v %v, want %+v %v", tc.truth, tc.err, got, ok, tc.want, tc.ok)
		}
		if ok && got.request+got.mockWrite+got.clientRead != tc.err {
			t.Errorf("parts %+v do not sum to %d", got, tc.err)
		}
	}
}

// TestStampsWrapHandler: the wrapper records entry and every flush of a
// request carrying X-Seedbench-Seq, take hands them out once, and a
// request without the header is served unstamped.
func TestStampsWrapHandler(t *testing.T) {
	s := newServerStamps()
	h := s.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w) // as the mock flushes
		for range 3 {
			_, _ = w.Write([]byte("data: x\n\n"))
			if err := rc.Flush(); err != nil {
				t.Error(err)
			}
		}
	}))
	for _, seq := range []string{"7", ""} {
		req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", nil)
		if seq != "" {
			req.Header.Set("X-Seedbench-Seq", seq)
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	st, ok := s.take(7)
	if !ok || len(st.flushes) != 3 || st.entered.IsZero() {
		t.Fatalf("stamps of request 7: %+v %v", st, ok)
	}
	if _, again := s.take(7); again {
		t.Error("take handed out request 7 twice")
	}
	if len(s.byK) != 0 {
		t.Errorf("%d stamps kept for requests without a sequence number", len(s.byK))
	}
}
