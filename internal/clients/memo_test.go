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

func TestUserFitnessIsPerIDCaseInsensitive(t *testing.T) {
	var m Memo
	if _, ok := m.KnownUserFitness("A"); ok {
		t.Fatal("fitness known before anything was remembered")
	}
	m.RememberUserFitness("ABC", UserFitness{Synced: true, Licenses: 2})
	if f, ok := m.KnownUserFitness("abc"); !ok || !f.Synced || f.Licenses != 2 {
		t.Errorf("KnownUserFitness = %+v, %v", f, ok)
	}
}
