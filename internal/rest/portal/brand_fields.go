package portal

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// The CRD's bounds of the brand's texts.
const (
	maxURL   = 2048
	maxPhone = 64
	maxHost  = 253
	maxEmail = 254
)

// brandText is a text field of a brand: its portal key, where spec.portal.branding keeps it
// and its bound.
type brandText struct {
	key string
	dst *string
	max int
}

// brandTexts are b's text fields.
func brandTexts(b *tenancyv1alpha1.GroupBranding) []brandText {
	u := &b.URLs
	return []brandText{
		{"account_server_url", &u.AccountServer, maxURL}, {"agent_gateway_url", &u.AgentGateway, maxURL},
		{"backup_console_url", &u.BackupConsole, maxURL}, {"help_url", &u.Help, maxURL}, {"home_url", &u.Home, maxURL},
		{"knowledgebase_url", &u.Knowledgebase, maxURL}, {"mobile_app_android_download_url", &u.MobileAppAndroidDownload, maxURL},
		{"mobile_app_ios_download_url", &u.MobileAppIOSDownload, maxURL}, {"platform_terms_url", &u.PlatformTerms, maxURL},
		{"privacy_policy_url", &u.PrivacyPolicy, maxURL}, {"reg_server_url", &u.RegServer, maxURL},
		{"router_url", &u.Router, maxURL}, {"support_url", &u.Support, maxURL}, {"terms_url", &u.Terms, maxURL},
		{"upsell_url", &u.Upsell, maxURL}, {"user_guide_url", &u.UserGuide, maxURL},
		{"company_name", &b.CompanyName, maxText}, {"service_name", &b.ServiceName, maxText},
		{"support_phone", &b.SupportPhone, maxPhone},
		{"smtp_server", &b.SMTP.Server, maxHost}, {"smtp_user", &b.SMTP.User, maxText},
		{"smtp_reply_address", &b.SMTP.ReplyAddress, maxEmail},
	}
}

// set stores a string (null clears it).
func (t brandText) set(raw json.RawMessage) error {
	o, err := decodeField[string](t.key, raw)
	if err != nil {
		return err
	}
	if utf8.RuneCountInString(o.V) > t.max {
		return errBadField(t.key, "is longer than %d characters", t.max)
	}
	if strings.ContainsFunc(o.V, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return errBadField(t.key, "may not hold control characters")
	}
	*t.dst = o.V
	return nil
}

// decodeField reads a field that may be null.
func decodeField[T any](name string, raw json.RawMessage) (opt[T], error) {
	var o opt[T]
	if err := json.Unmarshal(raw, &o); err != nil {
		var zero T
		return o, errBadField(name, "must be %s", jsonType(zero))
	}
	return o, nil
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "true or false"
	}
	return "an integer"
}

var hexColor = regexp.MustCompile(`^[0-9A-Fa-f]{6}$`)

// applyOther applies a field that is not a text.
func applyOther(b *tenancyv1alpha1.GroupBranding, id int64, key string, raw json.RawMessage) error {
	switch key {
	case "color":
		o, err := decodeField[string](key, raw)
		if err == nil && o.V != "" && !hexColor.MatchString(o.V) {
			err = errBadField(key, "must be six hexadecimal digits (RGB), e.g. FFFFFF")
		}
		b.Color = o.V
		return err
	case "color_scheme":
		o, err := decodeField[string](key, raw)
		if err == nil && !slices.Contains(tenancyv1alpha1.ColorSchemes, tenancyv1alpha1.ColorScheme(o.V)) {
			err = errBadField(key, "must be one of GET /branding/scheme/available, not %q", o.V)
		}
		b.ColorScheme = tenancyv1alpha1.ColorScheme(o.V)
		return err
	case "smtp_port":
		o, err := decodeField[int](key, raw)
		if err == nil && (o.V < 0 || o.V > 65535) {
			err = errBadField(key, "must be a port number, 0 to 65535 (0: the encryption's usual one)")
		}
		b.SMTP.Port = int32(o.V)
		return err
	case "smtp_encryption":
		return setEncryption(raw, &b.SMTP)
	case "id", keyLogotype:
		return checkReadOnly(b, id, key, raw)
	}
	return errBadField(key, "is not a field of the brand")
}

// The brand's keys named in more than one place.
const (
	keyLogotype     = "logotype"
	keySMTPOverride = "smtp_override"
)

// brandSwitch is a yes/no field of a brand: the seed has some as 0/1 flags, some as booleans.
type brandSwitch struct {
	key  string
	dst  *bool
	flag bool
}

func brandSwitches(b *tenancyv1alpha1.GroupBranding) []brandSwitch {
	return []brandSwitch{{"hide_predefined", &b.HidePredefined, true}, {keySMTPOverride, &b.SMTP.Enabled, true},
		{"owns_custom_legal_docs", &b.OwnsCustomLegalDocs, false}, {"white_labeled_agent", &b.WhiteLabeledAgent, false}}
}

// set stores the switch (not null).
func (f brandSwitch) set(raw json.RawMessage) error {
	if !f.flag {
		o, err := decodeField[bool](f.key, raw)
		if err == nil && o.Null {
			err = errBadField(f.key, "may not be null")
		}
		*f.dst = o.V
		return err
	}
	o, err := decodeField[int](f.key, raw)
	if err == nil {
		err = checkFlag(f.key, o)
	}
	if err == nil && o.Null {
		err = errBadField(f.key, "may not be null")
	}
	*f.dst = o.V == 1
	return err
}

// setEncryption stores smtp_encryption: none, TLS or STARTTLS in any case (null: TLS).
func setEncryption(raw json.RawMessage, s *tenancyv1alpha1.BrandSMTP) error {
	o, err := decodeField[string]("smtp_encryption", raw)
	if err != nil {
		return err
	}
	s.Encryption = ""
	for e, name := range encryptionNames {
		if strings.EqualFold(o.V, name) {
			s.Encryption = e
		}
	}
	if o.V != "" && s.Encryption == "" {
		return errBadField("smtp_encryption", "must be none, TLS or STARTTLS, not %q", o.V)
	}
	return nil
}

// checkReadOnly accepts id and logotype only as GET shows them (id is -1 on the first pass,
// which knows neither).
func checkReadOnly(b *tenancyv1alpha1.GroupBranding, id int64, key string, raw json.RawMessage) error {
	o, err := decodeField[int64](key, raw)
	if err != nil || id < 0 {
		return err
	}
	held := &id
	if key == keyLogotype && b.LogoSecretRef == nil {
		held = nil
	}
	if !sameID(o, held) {
		if key == "id" {
			return errBadField(key, "is the group's id, %d, and does not change", id)
		}
		return errBadField(key, "is the logo POST /groups/{group}/logo uploads, and is not set here")
	}
	return nil
}
