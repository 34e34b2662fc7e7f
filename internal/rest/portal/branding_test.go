package portal

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// A route takes the media types its policy accepts: JSON by default, images and multipart for
// the logo upload; a body without a type is refused either way.
func TestBodyAccepted(t *testing.T) {
	logo := branders.accepting("image/*", "multipart/form-data")
	for _, tc := range []struct {
		p           policy
		contentType string
		ok          bool
	}{
		{readers, "application/json", true}, {readers, "application/json; charset=utf-8", true},
		{readers, "text/plain", false}, {readers, "", false}, {readers, "image/png", false},
		{logo, "image/png", true}, {logo, "image/jpeg", true}, {logo, "multipart/form-data; boundary=x", true},
		{logo, "application/json", false}, {logo, "imagery/png", false}, {logo, "", false},
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader("x"))
		if tc.contentType != "" {
			r.Header.Set("Content-Type", tc.contentType)
		}
		err := tc.p.bodyAccepted(r)
		if (err == nil) != tc.ok {
			t.Errorf("media %v, Content-Type %q: %v, want accepted %v", tc.p.media, tc.contentType, err, tc.ok)
		}
	}
	if err := readers.bodyAccepted(httptest.NewRequest("GET", "/", nil)); err != nil {
		t.Errorf("no body: %v", err)
	}
}

func TestETagMatches(t *testing.T) {
	for header, want := range map[string]bool{`"a"`: true, `W/"a"`: true, `"b", "a"`: true, `*`: true, `"b"`: false, ``: false} {
		if got := etagMatches(header, `"a"`); got != want {
			t.Errorf("If-None-Match %q: %v, want %v", header, got, want)
		}
	}
}

// A brand body is checked field by field before anything is read; what GET shows of the
// write-only password (empty, or a mask) keeps it.
func TestDecodeBrand(t *testing.T) {
	decode := func(method, body string) (*brandInput, error) {
		r := httptest.NewRequest(method, "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		return decodeBrand(r)
	}
	for _, body := range []string{`{"nope": 1}`, `{"color": "red"}`, `{"color_scheme": "neon"}`, `{"smtp_port": -1}`,
		`{"smtp_encryption": "ssl3"}`, `{"hide_predefined": 2}`, `{"white_labeled_agent": 1}`, `{"company_name": 7}`,
		`{"home_url": "a\u0000b"}`, `{"smtp_password": 5}`} {
		if _, err := decode("PUT", body); err == nil {
			t.Errorf("%s accepted", body)
		}
	}
	for body, set := range map[string]bool{`{"smtp_password": ""}`: false, `{"smtp_password": "**********"}`: false,
		`{"smtp_password": "s3cret"}`: true, `{"smtp_password": null}`: true} {
		in, err := decode("PUT", body)
		if err != nil || in.password.Set != set {
			t.Errorf("%s: %v, password given %v, want %v", body, err, in != nil && in.password.Set, set)
		}
	}
	in, err := decode("PUT", `{"smtp_encryption": "starttls", "smtp_port": 587, "color": "00ff00", "support_url": null}`)
	if err != nil {
		t.Fatal(err)
	}
	b := tenancyv1alpha1.GroupBranding{URLs: tenancyv1alpha1.BrandURLs{Support: "x"}}
	if err := in.apply(&b, 7); err != nil || b.SMTP.Encryption != tenancyv1alpha1.SMTPEncryptionSTARTTLS ||
		b.SMTP.Port != 587 || b.Color != "00ff00" || b.URLs.Support != "" {
		t.Errorf("apply: %v, %+v", err, b)
	}
	if _, err := decode("POST", ""); err != nil {
		t.Errorf("POST without a body: %v", err)
	}
	if _, err := decodeBrand(httptest.NewRequest(http.MethodPut, "/", nil)); err == nil {
		t.Error("PUT without a body accepted")
	}
}

// Prices keep at most six decimals, as the CRD's pattern does.
func TestDecimalText(t *testing.T) {
	for v, want := range map[float64]string{12.5: "12.5", 3: "3", 0.1234567: "0.123457", -2.25: "-2.25"} {
		if got := *decimalText(&v); got != want {
			t.Errorf("%v: %q, want %q", v, got, want)
		}
	}
}
