package mockserver

import (
	"testing"
	"testing/synctest"
	"time"
)

func TestBucket(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 60 per minute: one per second, burst 60.
		b := newBucket(60, 1)
		for i := range 60 {
			if ok, _ := b.take(1, time.Now()); !ok {
				t.Fatalf("request %d of the burst refused", i)
			}
		}
		ok, wait := b.take(1, time.Now())
		if ok || wait != time.Second {
			t.Fatalf("61st: ok %v wait %v, want refused with 1s", ok, wait)
		}
		time.Sleep(500 * time.Millisecond)
		if ok, wait := b.take(1, time.Now()); ok || wait != 500*time.Millisecond {
			t.Fatalf("after 0.5s: ok %v wait %v", ok, wait)
		}
		time.Sleep(500 * time.Millisecond)
		if ok, _ := b.take(1, time.Now()); !ok {
			t.Fatal("after 1s: refused")
		}
		// A request bigger than the bucket waits for a full bucket.
		if ok, wait := b.take(100, time.Now()); ok || wait != 60*time.Second {
			t.Fatalf("oversized: ok %v wait %v", ok, wait)
		}
		// Refill never exceeds capacity.
		time.Sleep(time.Hour)
		b.take(0, time.Now())
		if b.tokens != 60 {
			t.Fatalf("tokens %v after an hour, want 60", b.tokens)
		}
	})
}
