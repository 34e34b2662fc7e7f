package portal

import (
	"context"
	"errors"
	"net/http"
	netmail "net/mail"
	"net/url"
	"strings"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/mail"
)

// brandLinks is what the e-mails and the token pages say of the brand a group shows.
type brandLinks struct {
	Company, AccountServerURL, SupportURL, SupportPhone, UserGuideURL string
	TermsURL, PlatformTermsURL, PrivacyPolicyURL                      string
}

// brandLinks is the brand g shows; the company is the group's name unless the brand names one.
func (a *API) brandLinks(ctx context.Context, g *tenancyv1alpha1.Group) (*brandLinks, error) {
	b, err := a.shownBrand(ctx, g)
	if err != nil {
		return nil, err
	}
	if b == nil {
		b = &brandLinks{}
	}
	if b.Company == "" {
		b.Company = groupName(g)
	}
	return b, nil
}

// issuerURL is where Tessera serves, as its tokens' issuer names it (never the request's Host
// header, which a client chooses: links in e-mails must not point where a client says).
func (a *API) issuerURL() string {
	if a.Auth == nil || a.Auth.Verifier == nil {
		return ""
	}
	return strings.TrimRight(a.Auth.Verifier.Issuer, "/")
}

// absoluteURL gives a brand's URL ("mc-cloud.example.com" in the seed) a scheme.
func absoluteURL(u string) string {
	if strings.Contains(u, "://") {
		return strings.TrimRight(u, "/")
	}
	return "https://" + strings.TrimRight(u, "/")
}

// deliver sends m for g: into the outbox when one is configured (local mode), else through the
// SMTP server of g's brand, within mail.DefaultTimeout. The sender is the brand's (its SMTP
// From), else no-reply at Tessera's host.
func (a *API) deliver(ctx context.Context, g *tenancyv1alpha1.Group, m *mail.Message) error {
	cfg, err := a.mailServer(ctx, g)
	if err != nil {
		return err
	}
	b, err := a.brandLinks(ctx, g)
	if err != nil {
		return err
	}
	return a.send(ctx, g, cfg, b, m)
}

// send delivers m for g, from b's company, through cfg (nil: g's brand has none).
func (a *API) send(ctx context.Context, g *tenancyv1alpha1.Group, cfg *mail.SMTPConfig, b *brandLinks, m *mail.Message) error {
	m.From = a.sender(cfg, b.Company)
	var mailer mail.Mailer
	switch {
	case a.Outbox != "":
		mailer = &mail.Outbox{Dir: a.Outbox}
	case cfg != nil:
		mailer = &mail.SMTP{Config: *cfg}
	default:
		return newErr(http.StatusServiceUnavailable, "group %d cannot send e-mail: its brand has no SMTP settings", g.Spec.ID)
	}
	switch err := mailer.Send(ctx, m); {
	case errors.Is(err, mail.ErrDelivery):
		return newErr(http.StatusBadGateway, "%v", err) // names the server and its reply, never the password
	case errors.Is(err, mail.ErrInvalid):
		return errBadRequest("the e-mail cannot be sent: %v", err)
	default:
		return err
	}
}

// sender is the From of a group's e-mails: its SMTP settings' address, named after the
// company, else no-reply at Tessera's host.
func (a *API) sender(cfg *mail.SMTPConfig, company string) string {
	if cfg != nil && cfg.From != "" {
		if addr, err := netmail.ParseAddress(cfg.From); err == nil {
			if addr.Name == "" {
				addr.Name = company
			}
			return addr.String()
		}
	}
	host := "localhost"
	if u, err := url.Parse(a.issuerURL()); err == nil && u.Hostname() != "" && !strings.Contains(u.Hostname(), ":") {
		host = u.Hostname()
	}
	return (&netmail.Address{Name: company, Address: "no-reply@" + host}).String()
}
