package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	k8serrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/rest"
)

// A brand is a Group's spec.portal.branding while enabled; its id is the Group's id. A group's
// effective brand is its own, else its nearest ancestor's.

// getColorSchemes is GET /branding/scheme/available: a bare array.
func (a *API) getColorSchemes(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	writeJSON(w, http.StatusOK, tenancyv1alpha1.ColorSchemes)
	return nil
}

// getPublicBrand is GET /brands/{brand}, open to anyone (login pages show it): the brand
// without its SMTP settings.
func (a *API) getPublicBrand(w http.ResponseWriter, r *http.Request, _ *caller) error {
	g, err := a.groupByRef(r.Context(), r.PathValue("brand"))
	if err != nil || !g.Spec.Portal.Branding.Enabled {
		return errNotFound("brand %s does not exist", r.PathValue("brand"))
	}
	writeJSON(w, http.StatusOK, brandView(g, false))
	return nil
}

// getBrand is GET /groups/{group}/brand: the group's own brand (404 while it has none), or
// with effective=1 the one in effect, its own or its nearest ancestor's. An ancestor's mail
// server is not the caller's to see: outside the caller's subtree, smtp_server, smtp_user and
// smtp_reply_address are empty.
func (a *API) getBrand(w http.ResponseWriter, r *http.Request, c *caller) error {
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	effective, err := flagParam(r, "effective")
	if err != nil {
		return err
	}
	owner := g
	if effective {
		if owner, err = a.brandOwner(r.Context(), g, isBranded); err != nil {
			return err
		}
	}
	if owner == nil || !owner.Spec.Portal.Branding.Enabled {
		return errNotFound("group %d has no brand of its own (effective=1 gives the one in effect)", g.Spec.ID)
	}
	view := brandView(owner, true)
	if !c.inScope(owner.Name) {
		for _, k := range []string{"smtp_server", "smtp_user", "smtp_reply_address"} {
			view[k] = ""
		}
	}
	writeJSON(w, http.StatusOK, view)
	return nil
}

// enableBrand is POST /groups/{group}/brand?version=: the group's brand is enabled, with the
// fields of the body (optional) set as PUT sets them.
func (a *API) enableBrand(w http.ResponseWriter, r *http.Request, c *caller) error {
	return a.writeBrand(w, r, c, func(b *tenancyv1alpha1.GroupBranding) error {
		b.Enabled = true
		return nil
	})
}

// putBrand is PUT /groups/{group}/brand?version=: the fields given replace the stored ones;
// 404 while the group's brand is not enabled.
func (a *API) putBrand(w http.ResponseWriter, r *http.Request, c *caller) error {
	return a.writeBrand(w, r, c, func(b *tenancyv1alpha1.GroupBranding) error {
		if !b.Enabled {
			return errNotFound("the group has no brand enabled: POST /groups/{group}/brand enables it")
		}
		return nil
	})
}

// disableBrand is DELETE /groups/{group}/brand?version=: the brand is disabled (the group's
// brand is null) and its settings kept for a later POST.
func (a *API) disableBrand(w http.ResponseWriter, r *http.Request, c *caller) error {
	return a.writeBrand(w, r, c, func(b *tenancyv1alpha1.GroupBranding) error {
		b.Enabled = false
		return nil
	})
}

// writeBrand applies state and then the body's fields to the group's branding, under its
// version, and answers {"version": N}. smtp_password goes into the Secret smtpSecret of the
// group's namespace once the spec is written, so that a refusal changes nothing.
func (a *API) writeBrand(w http.ResponseWriter, r *http.Request, c *caller, state func(*tenancyv1alpha1.GroupBranding) error) error {
	ctx := r.Context()
	g, err := a.groupParam(r, c)
	if err != nil {
		return err
	}
	body, err := decodeBrand(r)
	if err != nil {
		return err
	}
	if err := a.mayWriteAt(r, c, g); err != nil {
		return err
	}
	oldRef := g.Spec.Portal.Branding.SMTP.PasswordSecretRef
	next, err := a.changeGroup(ctx, g.Name, func(next *tenancyv1alpha1.Group) error {
		if err := checkVersion(r, next.Generation); err != nil {
			return err
		}
		b := &next.Spec.Portal.Branding
		if err := state(b); err != nil {
			return err
		}
		return body.apply(b, next.Spec.ID)
	})
	if err != nil {
		return err
	}
	switch {
	case body.password.Set && body.password.Null:
		if oldRef != nil && oldRef.Name == smtpSecret {
			err = a.deleteSecret(ctx, next, smtpSecret)
		}
	case body.password.Set:
		err = a.putSecret(ctx, next, smtpSecret, map[string][]byte{smtpPasswordKey: []byte(body.password.V)})
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, versionView{next.Generation})
	return nil
}

// The Secret, in a group's namespace, that smtp_password writes.
const (
	smtpSecret      = "portal-brand-smtp"
	smtpPasswordKey = "password"
)

// brandView is the brand of owner as the seed shows it: brand_public, and with smtp its
// smtp_settings (smtp_password, write-only, always empty).
func brandView(owner *tenancyv1alpha1.Group, smtp bool) map[string]any {
	b := owner.Spec.Portal.Branding
	v := map[string]any{"id": owner.Spec.ID, "color": nullable(b.Color), "color_scheme": colorScheme(b), keyLogotype: nil}
	if b.LogoSecretRef != nil {
		v[keyLogotype] = owner.Spec.ID
	}
	for _, f := range brandSwitches(&b) {
		switch {
		case f.key == keySMTPOverride && !smtp:
		case f.flag:
			v[f.key] = flag(*f.dst)
		default:
			v[f.key] = *f.dst
		}
	}
	for _, t := range brandTexts(&b) {
		switch {
		case strings.HasPrefix(t.key, "smtp_"):
			if smtp {
				v[t.key] = *t.dst
			}
		case t.key == "backup_console_url":
			v[t.key] = *t.dst
		default:
			v[t.key] = nullable(*t.dst)
		}
	}
	if smtp {
		v["smtp_port"] = smtpPort(b.SMTP)
		v["smtp_encryption"] = encryptionNames[encryption(b.SMTP)]
		v["smtp_password"] = ""
	}
	return v
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func colorScheme(b tenancyv1alpha1.GroupBranding) tenancyv1alpha1.ColorScheme {
	if b.ColorScheme == "" {
		return tenancyv1alpha1.ColorSchemes[0]
	}
	return b.ColorScheme
}

// encryptionNames are the portal's names of the SMTP encryptions.
var encryptionNames = map[tenancyv1alpha1.SMTPEncryption]string{
	tenancyv1alpha1.SMTPEncryptionNone: "none", tenancyv1alpha1.SMTPEncryptionTLS: "TLS",
	tenancyv1alpha1.SMTPEncryptionSTARTTLS: "STARTTLS",
}

// encryption is the brand's SMTP encryption, tls by default.
func encryption(s tenancyv1alpha1.BrandSMTP) tenancyv1alpha1.SMTPEncryption {
	if s.Encryption == "" {
		return tenancyv1alpha1.SMTPEncryptionTLS
	}
	return s.Encryption
}

// smtpPort is the brand's SMTP port, the encryption's usual one when it names none.
func smtpPort(s tenancyv1alpha1.BrandSMTP) int {
	if s.Port != 0 {
		return int(s.Port)
	}
	switch encryption(s) {
	case tenancyv1alpha1.SMTPEncryptionNone:
		return 25
	case tenancyv1alpha1.SMTPEncryptionSTARTTLS:
		return 587
	}
	return 465
}

// The ownership tests of brandOwner.
func isBranded(g *tenancyv1alpha1.Group) bool { return g.Spec.Portal.Branding.Enabled }

func sendsMail(g *tenancyv1alpha1.Group) bool {
	b := g.Spec.Portal.Branding
	return b.Enabled && b.SMTP.Enabled && b.SMTP.Server != ""
}

// brandOwner is the nearest Group at or above g that owns holds of, nil when none does.
func (a *API) brandOwner(ctx context.Context, g *tenancyv1alpha1.Group, owns func(*tenancyv1alpha1.Group) bool) (*tenancyv1alpha1.Group, error) {
	if owns(g) {
		return g, nil
	}
	info, _ := a.Forest.Info(g.Name)
	for _, name := range slices.Backward(info.Path) {
		anc := &tenancyv1alpha1.Group{}
		if err := a.Client.Get(ctx, client.ObjectKey{Name: name}, anc); err != nil {
			if k8serrors.IsNotFound(err) {
				continue
			}
			return nil, err
		}
		if owns(anc) {
			return anc, nil
		}
	}
	return nil, nil
}

// SMTPSettings are the outgoing mail server a brand sends its mail through.
type SMTPSettings struct {
	// BrandID is the id of the brand: the id of the Group whose brand it is.
	BrandID int64
	// Host is the mail server's host name or address.
	Host string
	// Port is the server's port: the brand's, else the encryption's usual one (465, 587, 25).
	Port int
	// User and Password sign in to the server; an empty User means no authentication.
	User, Password string
	// From is the sender address of the brand's mail (the portal's smtp_reply_address).
	From string
	// TLS is how the connection is protected: tls from the first byte, starttls, or none.
	TLS tenancyv1alpha1.SMTPEncryption
}

// smtpFor is the branded SMTP of g's mail: that of the nearest Group at or above g whose brand
// is enabled with its SMTP settings on (smtp_override) and a server named; nil when none is,
// and mail goes without a brand. The password is read from the Secret the brand names.
func (a *API) smtpFor(ctx context.Context, g *tenancyv1alpha1.Group) (*SMTPSettings, error) {
	owner, err := a.brandOwner(ctx, g, sendsMail)
	if err != nil || owner == nil {
		return nil, err
	}
	s := owner.Spec.Portal.Branding.SMTP
	out := &SMTPSettings{BrandID: owner.Spec.ID, Host: s.Server, Port: smtpPort(s), User: s.User, From: s.ReplyAddress,
		TLS: encryption(s)}
	if ref := s.PasswordSecretRef; ref != nil {
		key := ref.Key
		if key == "" {
			key = smtpPasswordKey
		}
		data, err := a.secretData(ctx, owner, ref.Name)
		if err != nil {
			return nil, fmt.Errorf("the SMTP password of brand %d: %w", owner.Spec.ID, err)
		}
		pw, ok := data[key]
		if !ok {
			return nil, fmt.Errorf("the SMTP password of brand %d: Secret %s has no key %q", owner.Spec.ID, ref.Name, key)
		}
		out.Password = string(pw)
	}
	return out, nil
}

// smtpFor is for mail delivery (the actions family), which sends through it.

// errNoSecret reports a Secret a brand names that Tessera's cache does not hold.
var errNoSecret = errors.New("the Secret does not exist, or lacks the label app.kubernetes.io/managed-by=tessera")

// brandInput is a brand body (brand_public with smtp_settings, additionalProperties false,
// nothing required): each field given replaces the stored one. smtp_password is kept apart.
type brandInput struct {
	fields   map[string]json.RawMessage
	password opt[string]
}

// decodeBrand reads the body of PUT, or of POST (which may have none); DELETE takes none.
func decodeBrand(r *http.Request) (*brandInput, error) {
	if r.Method == http.MethodDelete || r.Method == http.MethodPost && r.ContentLength == 0 {
		return &brandInput{}, nil
	}
	var raw map[string]json.RawMessage
	if err := rest.DecodeJSON(r, &raw); err != nil {
		return nil, err
	}
	in := &brandInput{fields: raw}
	var err error
	if pw, ok := raw["smtp_password"]; ok {
		delete(raw, "smtp_password")
		if in.password, err = decodeField[string]("smtp_password", pw); err != nil {
			return nil, err
		}
		// What GET shows (empty) or the seed's masked example sent back keeps the password.
		if !in.password.Null && strings.Trim(in.password.V, "*") == "" {
			in.password = opt[string]{}
		}
		if err := checkText("smtp_password", in.password); err != nil {
			return nil, err
		}
	}
	// A first pass on an empty brand refuses bad fields before anything is read or written.
	return in, in.apply(&tenancyv1alpha1.GroupBranding{}, -1)
}

// apply validates the fields and writes them into b, the branding of the Group whose id is
// id (-1 when unknown: id and logotype, read-only, are then not compared).
func (in *brandInput) apply(b *tenancyv1alpha1.GroupBranding, id int64) error {
	texts, switches := map[string]brandText{}, map[string]brandSwitch{}
	for _, t := range brandTexts(b) {
		texts[t.key] = t
	}
	for _, f := range brandSwitches(b) {
		switches[f.key] = f
	}
	for _, key := range slices.Sorted(maps.Keys(in.fields)) {
		raw := in.fields[key]
		var err error
		if t, ok := texts[key]; ok {
			err = t.set(raw)
		} else if f, ok := switches[key]; ok {
			err = f.set(raw)
		} else {
			err = applyOther(b, id, key, raw)
		}
		if err != nil {
			return err
		}
	}
	if in.password.Set && in.password.Null {
		b.SMTP.PasswordSecretRef = nil
	} else if in.password.Set {
		b.SMTP.PasswordSecretRef = &tenancyv1alpha1.SecretKeyReference{Name: smtpSecret, Key: smtpPasswordKey}
	}
	return nil
}
