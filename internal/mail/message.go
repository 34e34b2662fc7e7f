// Package mail delivers Tessera's e-mails (the portal's activation, password-reset and e-mail
// update messages): rendered as RFC 5322 plain-text messages and handed to a Mailer, which
// writes them to an outbox directory (local mode) or sends them through an SMTP server.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"time"
)

// Mailer delivers a message.
type Mailer interface {
	Send(ctx context.Context, m *Message) error
}

// Message is a plain-text e-mail to one recipient.
type Message struct {
	// From and To are RFC 5322 addresses ("Name <box@host>" or "box@host").
	From, To string
	// Subject is one line of text, in any script.
	Subject string
	// Text is the body; lines end with "\n".
	Text string
	// Language is the body's language (a BCP 47 tag, the Content-Language header); optional.
	Language string
}

// ErrInvalid reports a message that cannot be rendered: an address that does not parse, or a
// header value holding a line break (which would inject headers).
var ErrInvalid = errors.New("invalid message")

// addresses returns the parsed sender and recipient.
func (m *Message) addresses() (from, to *netmail.Address, err error) {
	if from, err = netmail.ParseAddress(m.From); err != nil {
		return nil, nil, fmt.Errorf("%w: the sender %q: %v", ErrInvalid, m.From, err)
	}
	if to, err = netmail.ParseAddress(m.To); err != nil {
		return nil, nil, fmt.Errorf("%w: the recipient %q: %v", ErrInvalid, m.To, err)
	}
	return from, to, nil
}

// Render writes the message as RFC 5322 text with CRLF line endings: UTF-8 text in
// quoted-printable, the subject and display names encoded as RFC 2047 words where they need it.
func (m *Message) Render(now time.Time) ([]byte, error) {
	from, to, err := m.addresses()
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, fmt.Errorf("%w: the subject holds a line break", ErrInvalid)
	}
	if strings.ContainsFunc(m.Language, func(r rune) bool { return !isTagRune(r) }) {
		return nil, fmt.Errorf("%w: the language %q is not a language tag", ErrInvalid, m.Language)
	}
	var b bytes.Buffer
	header := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	header("From", from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", messageID(from.Address))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	if m.Language != "" {
		header("Content-Language", m.Language)
	}
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(m.Text)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func isTagRune(r rune) bool {
	return r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// messageID is a random Message-ID at the sender's domain.
func messageID(sender string) string {
	var n [16]byte
	_, _ = rand.Read(n[:]) // never fails
	domain := "tessera.invalid"
	if _, d, ok := strings.Cut(sender, "@"); ok && d != "" {
		domain = d
	}
	return "<" + hex.EncodeToString(n[:]) + "@" + domain + ">"
}
