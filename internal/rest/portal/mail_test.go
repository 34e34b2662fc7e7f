package portal

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/mail"
)

func TestComposeKeepsTenantTextOutOfTheHeaders(t *testing.T) {
	subject, body := compose("reset", mailLanguage("reset", "de-AT"), mailValues{name: "Ann", login: "ann",
		company: "Evil\r\nBcc: victim@example.com", link: "https://x.example/t"})
	if strings.ContainsAny(subject, "\r\n") || !strings.Contains(subject, "Evil Bcc:") {
		t.Errorf("subject %q", subject)
	}
	if !strings.Contains(body, "Hallo Ann") || !strings.Contains(body, "https://x.example/t") {
		t.Errorf("body %q", body)
	}
	if got := mailLanguage("reset", "pt-BR"); got != "en" {
		t.Errorf("a language without texts: %q, want en", got)
	}
}

// send without an outbox goes through the brand's SMTP server; its failures answer 502
// naming the server, never the password, and a group without SMTP settings answers 503.
func TestDeliverThroughSMTP(t *testing.T) {
	g := &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "acme"}, Spec: tenancyv1alpha1.GroupSpec{ID: 7}}
	msg := func() *mail.Message { return &mail.Message{To: "ann@example.com", Subject: "s", Text: "t\n"} }
	a := &API{}
	brand := &brandLinks{Company: "Acme"}
	var e *apiError
	if err := a.send(context.Background(), g, nil, brand, msg()); !errors.As(err, &e) || e.Status != http.StatusServiceUnavailable {
		t.Fatalf("without SMTP settings: %v, want 503", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close() // nothing listens there now
	cfg := &mail.SMTPConfig{Host: "127.0.0.1", Port: port, User: "mailer", Password: "Very-Secret-9", From: "noreply@acme.example"}
	err = a.send(context.Background(), g, cfg, brand, msg())
	if !errors.As(err, &e) || e.Status != http.StatusBadGateway || !strings.Contains(e.Info, "127.0.0.1") {
		t.Fatalf("an SMTP server that is not there: %v, want 502 naming it", err)
	}
	if strings.Contains(e.Info, "Very-Secret-9") {
		t.Errorf("the answer shows the SMTP password: %s", e.Info)
	}
	if got := a.sender(&mail.SMTPConfig{From: "noreply@acme.example"}, "Acme"); got != `"Acme" <noreply@acme.example>` {
		t.Errorf("the sender of the brand's SMTP settings: %q", got)
	}
	if got := a.sender(nil, "Acme"); got != `"Acme" <no-reply@localhost>` {
		t.Errorf("the sender without SMTP settings or issuer: %q", got)
	}
}

// A brand's SMTP encryption reaches the mailer as the mode it names; none (or unset) is plain.
func TestBrandEncryptionIsTheMailersTLSMode(t *testing.T) {
	for enc, want := range map[tenancyv1alpha1.SMTPEncryption]mail.TLSMode{
		tenancyv1alpha1.SMTPEncryptionTLS: mail.TLSImplicit, tenancyv1alpha1.SMTPEncryptionSTARTTLS: mail.TLSStartTLS,
		tenancyv1alpha1.SMTPEncryptionNone: mail.TLSNone, "": mail.TLSNone,
	} {
		if got := tlsMode(enc); got != want {
			t.Errorf("tlsMode(%q) = %q, want %q", enc, got, want)
		}
	}
}
