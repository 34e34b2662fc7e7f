package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"
)

// TLSMode is how the connection to an SMTP server is protected.
type TLSMode string

const (
	// TLSNone: plain SMTP. Go's PLAIN authentication then refuses to send the password
	// unless the server is on this machine.
	TLSNone TLSMode = "none"
	// TLSStartTLS: plain SMTP upgraded with STARTTLS before anything else (port 587); a server
	// that does not offer it is refused.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit: TLS from the first byte (SMTPS, port 465).
	TLSImplicit TLSMode = "tls"
)

// ParseTLSMode reads the portal's smtp_encryption: "TLS" or "SSL" (implicit TLS), "STARTTLS",
// "none" or "" (plain), in any case.
func ParseTLSMode(s string) (TLSMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "tls", "ssl":
		return TLSImplicit, nil
	case "starttls":
		return TLSStartTLS, nil
	case "", "none":
		return TLSNone, nil
	}
	return "", fmt.Errorf("%w: the SMTP encryption %q is none of TLS, STARTTLS and none", ErrInvalid, s)
}

// DefaultTimeout bounds one SMTP delivery when SMTP.Timeout is zero: connecting, the dialogue
// and the upload together.
const DefaultTimeout = 30 * time.Second

// SMTPConfig is where and how to send: a group's branded SMTP settings.
type SMTPConfig struct {
	Host string
	Port int
	// User and Password authenticate with PLAIN when User is set. The password is never
	// printed (String) nor put into an error.
	User, Password string
	// From is the sender address of the messages sent through this server.
	From string
	TLS  TLSMode
	// RootCAs verify the server's certificate; nil means the system's.
	RootCAs *x509.CertPool
}

// String describes the configuration without its password.
func (c SMTPConfig) String() string {
	pw := ""
	if c.Password != "" {
		pw = " password=<redacted>"
	}
	return fmt.Sprintf("smtp://%s user=%q%s from=%q tls=%s", net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), c.User, pw, c.From, c.TLS)
}

// GoString is String, so that %#v does not print the password either.
func (c SMTPConfig) GoString() string { return c.String() }

// SMTP delivers messages through one SMTP server.
type SMTP struct {
	Config SMTPConfig
	// Timeout bounds one delivery; zero means DefaultTimeout.
	Timeout time.Duration
}

// ErrDelivery wraps every failure to deliver through the server. Its messages name the server
// and what failed (and the server's own reply), never the password.
var ErrDelivery = errors.New("mail delivery failed")

// Send delivers m through the server within the timeout (and ctx).
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	from, to, err := m.addresses()
	if err != nil {
		return err
	}
	raw, err := m.Render(time.Now())
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cfg := s.Config
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	fail := func(step string, err error) error {
		if reply, ok := errors.AsType[*textproto.Error](err); ok {
			return fmt.Errorf("%w: %s: the SMTP server %s answered %d %s", ErrDelivery, step, addr, reply.Code, reply.Msg)
		}
		if ctx.Err() != nil || errors.Is(err, os.ErrDeadlineExceeded) {
			return fmt.Errorf("%w: %s: the SMTP server %s did not finish within %s", ErrDelivery, step, addr, timeout)
		}
		return fmt.Errorf("%w: %s with the SMTP server %s: %v", ErrDelivery, step, addr, err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fail("connecting", err)
	}
	defer func() { _ = conn.Close() }()
	// The deadline bounds every read and write of the dialogue; closing on ctx ends it early.
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()
	tlsConfig := &tls.Config{ServerName: cfg.Host, RootCAs: cfg.RootCAs, MinVersion: tls.VersionTLS12}
	if cfg.TLS == TLSImplicit {
		conn = tls.Client(conn, tlsConfig)
	}
	c, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		return fail("greeting", err)
	}
	defer func() { _ = c.Close() }()
	if cfg.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("%w: the SMTP server %s does not offer STARTTLS", ErrDelivery, addr)
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return fail("STARTTLS", err)
		}
	}
	if cfg.User != "" {
		if err := c.Auth(smtp.PlainAuth("", cfg.User, cfg.Password, cfg.Host)); err != nil {
			return fail("authenticating as "+strconv.Quote(cfg.User), err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fail("MAIL FROM", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fail("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return fail("DATA", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fail("sending the message", err)
	}
	if err := w.Close(); err != nil {
		return fail("sending the message", err)
	}
	if err := c.Quit(); err != nil {
		return fail("QUIT", err)
	}
	return nil
}
