package jwt

import (
	"errors"
	"testing"
	"time"

	"github.com/tessera-dev/tessera/internal/keys"
)

func TestSessionTokensAndLunaTokensNeverCross(t *testing.T) {
	now := time.Now()
	for _, alg := range []keys.Algorithm{keys.ES256, keys.EdDSA, keys.HS256} {
		set, err := keys.Generate(alg, now)
		if err != nil {
			t.Fatal(err)
		}
		sess, err := SignSession(set, SessionClaims{ID: "j1", Subject: "a1", Audience: AudienceOTE, Issuer: "iss",
			Roles: []string{"user"}, IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		c, err := VerifySession(sess, set, "iss", AudienceOTE, now)
		if err != nil || c.Subject != "a1" || c.ID != "j1" || len(c.Roles) != 1 {
			t.Fatalf("%s: VerifySession = %+v, %v", alg, c, err)
		}
		if _, err := VerifySession(sess, set, "iss", AudienceIdentity, now); !errors.Is(err, ErrClaims) {
			t.Errorf("%s: another audience accepted: %v", alg, err)
		}
		if _, err := VerifySession(sess, set, "other", AudienceOTE, now); !errors.Is(err, ErrIssuer) {
			t.Errorf("%s: another issuer accepted: %v", alg, err)
		}
		if _, err := VerifySession(sess, set, "iss", AudienceOTE, now.Add(time.Hour)); !errors.Is(err, ErrExpired) {
			t.Errorf("%s: expired session accepted: %v", alg, err)
		}
		if _, err := Verify(sess, set, "iss", now); err == nil {
			t.Errorf("%s: a session token verified as a Luna token", alg)
		}
		exp := now.Add(time.Hour)
		luna, _, err := Sign(set, Claims{TokenID: "t1", AccountID: "a1", Issuer: "iss", IssuedAt: now, ExpiresAt: &exp})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := VerifySession(luna, set, "iss", AudienceOTE, now); err == nil {
			t.Errorf("%s: a Luna token verified as a session", alg)
		}
	}
}
