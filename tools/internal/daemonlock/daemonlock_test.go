package daemonlock

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestSecondHolderWaitsAndSaysSo(t *testing.T) {
	host := "unix:///test/" + t.Name()
	ctx := context.Background()
	first, err := Acquire(ctx, host, nil)
	if err != nil {
		t.Fatal(err)
	}
	var told bytes.Buffer
	got := make(chan *Lock)
	go func() {
		l, err := Acquire(ctx, host, &told)
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	select {
	case <-got:
		t.Fatal("the lock was taken twice")
	case <-time.After(500 * time.Millisecond):
	}
	first.Unlock()
	second := <-got
	defer second.Unlock()
	if !strings.Contains(told.String(), "waiting for another lab tool") {
		t.Fatalf("the waiter said: %q", told.String())
	}
	// Another daemon's lock is independent.
	other, err := Acquire(ctx, host+"-other", nil)
	if err != nil {
		t.Fatal(err)
	}
	other.Unlock()
	// Giving up: a cancelled wait returns its context's error.
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := Acquire(cctx, host, nil); err == nil {
		t.Fatal("acquired a held lock")
	}
}
