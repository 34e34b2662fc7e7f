package tree

import "context"

// After a start the Group reconciler places Groups one reconcile at a time, so for a moment the
// forest holds some of them: an Account whose Group, or an ancestor of it, is not placed yet
// would read as unlocked. A forest told to settle first (BeginSettling) lets WaitSettled return
// only once its owner has seen every Group of the first list placed (Settle), so readers of
// locks wait instead of guessing, and nothing has to be enqueued again when the tree fills in.

// BeginSettling makes WaitSettled wait until Settle. The zero value is settled.
func (f *Forest) BeginSettling() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.settling == nil {
		f.settling = make(chan struct{})
	}
}

// Settle releases every WaitSettled, now and later.
func (f *Forest) Settle() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.settling != nil {
		close(f.settling)
		f.settling = nil
	}
}

// WaitSettled returns once the forest is settled, or ctx's error when ctx ends first.
func (f *Forest) WaitSettled(ctx context.Context) error {
	f.mu.RLock()
	settling := f.settling
	f.mu.RUnlock()
	if settling == nil {
		return nil
	}
	select {
	case <-settling:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
