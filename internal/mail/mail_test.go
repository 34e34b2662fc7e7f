package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testMessage() *Message {
	return &Message{From: "Acme Support <no-reply@acme.example>", To: "Jürgen <j@example.com>",
		Subject: "Passwort zurücksetzen", Text: "Hallo,\n\nhttps://portal.example/reset?token=abc=def\n", Language: "de"}
}

// parse reads a rendered message back as a mail client would.
func parse(t *testing.T, raw []byte) (*netmail.Message, string) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not an RFC 5322 message: %v\n%s", err, raw)
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		t.Fatal(err)
	}
	return msg, string(body)
}

func TestRenderIsAMessageAnyClientReads(t *testing.T) {
	raw, err := testMessage().Render(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Errorf("a line ends without CR:\n%q", raw)
	}
	msg, body := parse(t, raw)
	var dec = new(mimeDecoder)
	if got := dec.header(t, msg.Header.Get("Subject")); got != "Passwort zurücksetzen" {
		t.Errorf("Subject %q", got)
	}
	if to, err := msg.Header.AddressList("To"); err != nil || to[0].Name != "Jürgen" || to[0].Address != "j@example.com" {
		t.Errorf("To %v %v", to, err)
	}
	if msg.Header.Get("Content-Language") != "de" || msg.Header.Get("MIME-Version") != "1.0" ||
		!strings.HasSuffix(msg.Header.Get("Message-ID"), "@acme.example>") {
		t.Errorf("headers %v", msg.Header)
	}
	if d, err := msg.Header.Date(); err != nil || !d.Equal(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("Date %v %v", d, err)
	}
	if got := dec.body(t, body); got != "Hallo,\r\n\r\nhttps://portal.example/reset?token=abc=def\r\n" {
		t.Errorf("body %q", got)
	}
}

func TestRenderRefusesHeaderInjection(t *testing.T) {
	for _, m := range []*Message{
		{From: "a@example.com", To: "b@example.com\r\nBcc: c@example.com", Subject: "x"},
		{From: "a@example.com", To: "b@example.com", Subject: "x\r\nBcc: c@example.com"},
		{From: "not an address", To: "b@example.com", Subject: "x"},
		{From: "a@example.com", To: "b@example.com", Subject: "x", Language: "en\r\nX: y"},
	} {
		if _, err := m.Render(time.Now()); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", m, err)
		}
	}
}

func TestOutboxWritesOneFilePerMessage(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	o := &Outbox{Dir: dir}
	for range 2 {
		if err := o.Send(context.Background(), testMessage()); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("%d files, want 2: %v", len(entries), entries)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".eml") {
			t.Errorf("%s is not an .eml file", e.Name())
		}
		info, _ := e.Info()
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v: the file holds a token", e.Name(), info.Mode().Perm())
		}
		raw, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		parse(t, raw)
	}
	if err := o.Send(context.Background(), &Message{From: "x", To: "y"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("an invalid message: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("a refused message left a file: %v", entries)
	}
}

func TestParseTLSMode(t *testing.T) {
	for in, want := range map[string]TLSMode{"TLS": TLSImplicit, "ssl": TLSImplicit, "STARTTLS": TLSStartTLS, "": TLSNone, "None": TLSNone} {
		if got, err := ParseTLSMode(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	if _, err := ParseTLSMode("maybe"); err == nil {
		t.Error("an unknown mode was accepted")
	}
}

func TestConfigNeverPrintsThePassword(t *testing.T) {
	c := SMTPConfig{Host: "smtp.example", Port: 587, User: "u", Password: "hunter2-secret", TLS: TLSStartTLS}
	for _, s := range []string{c.String(), c.GoString()} {
		if strings.Contains(s, "hunter2") || !strings.Contains(s, "smtp.example:587") {
			t.Errorf("%s", s)
		}
	}
}
