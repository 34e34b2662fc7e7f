package tree

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestWaitSettledWaitsFromBeginSettlingUntilSettle(t *testing.T) {
	f := &Forest{}
	if err := f.WaitSettled(t.Context()); err != nil {
		t.Fatalf("the zero value must be settled: %v", err)
	}

	f.BeginSettling()
	short, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := f.WaitSettled(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a settling forest answered WaitSettled with %v", err)
	}

	waited := make(chan error, 1)
	go func() { waited <- f.WaitSettled(t.Context()) }()
	f.Settle()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Settle did not release a waiter")
	}
	f.Settle() // twice is harmless
	if err := f.WaitSettled(t.Context()); err != nil {
		t.Fatalf("after Settle: %v", err)
	}
}
