package portal

import (
	"context"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/mail"
)

// mailServer is the SMTP server g's mail goes through: its brand's (smtpFor), nil when no
// brand at or above g sends mail of its own.
func (a *API) mailServer(ctx context.Context, g *tenancyv1alpha1.Group) (*mail.SMTPConfig, error) {
	s, err := a.smtpFor(ctx, g)
	if err != nil || s == nil {
		return nil, err
	}
	return &mail.SMTPConfig{Host: s.Host, Port: s.Port, User: s.User, Password: s.Password, From: s.From,
		TLS: tlsMode(s.TLS)}, nil
}

// tlsMode is the mail package's name of a brand's SMTP encryption.
func tlsMode(e tenancyv1alpha1.SMTPEncryption) mail.TLSMode {
	switch e {
	case tenancyv1alpha1.SMTPEncryptionTLS:
		return mail.TLSImplicit
	case tenancyv1alpha1.SMTPEncryptionSTARTTLS:
		return mail.TLSStartTLS
	}
	return mail.TLSNone
}

// shownBrand is what the e-mails and token pages say of the brand g shows: its own or the
// nearest ancestor's; nil when none is enabled.
func (a *API) shownBrand(ctx context.Context, g *tenancyv1alpha1.Group) (*brandLinks, error) {
	owner, err := a.brandOwner(ctx, g, isBranded)
	if err != nil || owner == nil {
		return nil, err
	}
	b := owner.Spec.Portal.Branding
	return &brandLinks{Company: b.CompanyName, AccountServerURL: b.URLs.AccountServer, SupportURL: b.URLs.Support,
		SupportPhone: b.SupportPhone, UserGuideURL: b.URLs.UserGuide, TermsURL: b.URLs.Terms,
		PlatformTermsURL: b.URLs.PlatformTerms, PrivacyPolicyURL: b.URLs.PrivacyPolicy}, nil
}
