package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Outbox delivers each message as an RFC 5322 file, <time>-<random>.eml, in Dir: what local
// mode does instead of sending mail, so that people can open the messages (and follow their
// links) in any mail client. The files hold working tokens: only the owner may read them.
type Outbox struct {
	Dir string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Send writes m into the outbox, whole or not at all (a reader never sees half a message).
func (o *Outbox) Send(_ context.Context, m *Message) error {
	now := time.Now()
	if o.Now != nil {
		now = o.Now()
	}
	raw, err := m.Render(now)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return fmt.Errorf("the outbox %s: %w", o.Dir, err)
	}
	var n [4]byte
	_, _ = rand.Read(n[:]) // never fails
	name := now.UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(n[:]) + ".eml"
	tmp, err := os.CreateTemp(o.Dir, ".writing-*")
	if err != nil {
		return fmt.Errorf("the outbox %s: %w", o.Dir, err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // a no-op once renamed
	if _, err := tmp.Write(raw); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("the outbox %s: %w", o.Dir, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("the outbox %s: %w", o.Dir, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(o.Dir, name)); err != nil {
		return fmt.Errorf("the outbox %s: %w", o.Dir, err)
	}
	return nil
}
