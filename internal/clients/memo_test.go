package clients

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestOnceReadsOnceAndRetriesFailures(t *testing.T) {
	var o Once[[]string]
	var calls atomic.Int32
	fail := true
	load := func(context.Context) ([]string, error) {
		calls.Add(1)
		if fail {
			return nil, errors.New("503")
		}
		return []string{"contoso.onmicrosoft.com"}, nil
	}
	if _, err := o.Get(t.Context(), load); err == nil {
		t.Fatal("a failed read was not reported")
	}
	fail = false
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if v, err := o.Get(t.Context(), load); err != nil || len(v) != 1 {
				t.Errorf("Get = %v, %v", v, err)
			}
		})
	}
	wg.Wait()
	if n := calls.Load(); n != 2 {
		t.Errorf("%d reads, want 2: the failed one is not kept, then one read for eight callers", n)
	}
}

func TestHandoffIsTakenOnceWhileFresh(t *testing.T) {
	var h Handoff[[]string]
	h.Put("a", []string{"x"})
	if v, ok := h.Take("a", time.Minute); !ok || len(v) != 1 {
		t.Fatalf("Take = %v, %v", v, ok)
	}
	if _, ok := h.Take("a", time.Minute); ok {
		t.Error("a value was taken twice")
	}
	if _, ok := h.Take("b", time.Minute); ok {
		t.Error("a value was taken for a key nobody put")
	}
	h.Put("old", []string{"x"})
	time.Sleep(5 * time.Millisecond)
	if _, ok := h.Take("old", time.Millisecond); ok {
		t.Error("a value older than maxAge was taken")
	}
}

func TestAreaStateIsOnePerTypeAndClient(t *testing.T) {
	type limits struct{ n int }
	type names struct{ n int }
	var a, b Client
	got := AreaState(&a, func() *limits { return &limits{n: 1} })
	if again := AreaState(&a, func() *limits { return &limits{n: 2} }); again != got || again.n != 1 {
		t.Errorf("a second call built a new state: %+v", again)
	}
	if other := AreaState[names](&a, nil); other.n != 0 {
		t.Errorf("another type got the first type's state: %+v", other)
	}
	if alias := AreaState[limits](&b, nil); alias == got {
		t.Error("two clients (provider aliases) share one state")
	}
}

func TestFreshIsSharedWhileYoungAndForgottenAfterAWrite(t *testing.T) {
	var f Fresh[int]
	var calls atomic.Int32
	fail := true
	load := func(context.Context) (int, error) {
		n := calls.Add(1)
		if fail {
			return 0, errors.New("429")
		}
		return int(n), nil
	}
	if _, err := f.Get(t.Context(), time.Minute, load); err == nil {
		t.Fatal("a failed read was not reported")
	}
	fail = false
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if v, err := f.Get(t.Context(), time.Minute, load); err != nil || v != 2 {
				t.Errorf("Get = %v, %v; want the one read after the failure", v, err)
			}
		})
	}
	wg.Wait()
	if v, _ := f.Get(t.Context(), 0, load); v != 3 {
		t.Errorf("a value older than maxAge was used: %d", v)
	}
	f.Forget()
	if v, _ := f.Get(t.Context(), time.Minute, load); v != 4 {
		t.Errorf("Forget did not drop the value: %d", v)
	}
}

func TestNewestKeepsTheNewestVersion(t *testing.T) {
	var n Newest
	t0 := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	if got := n.See("Policy-A", t0); !got.Equal(t0) {
		t.Errorf("first See = %v", got)
	}
	if got := n.See("policy-a", t0.Add(-time.Second)); !got.Equal(t0) {
		t.Errorf("an older read lowered the newest version (ids compare case-insensitively): %v", got)
	}
	if got := n.See("policy-a", t0.Add(time.Second)); !got.Equal(t0.Add(time.Second)) {
		t.Errorf("a newer read was not kept: %v", got)
	}
	if got := n.See("policy-b", time.Time{}); !got.IsZero() {
		t.Errorf("another key: %v", got)
	}
}
