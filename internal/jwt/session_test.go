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

func TestPortalClaimsRoundTrip(t *testing.T) {
	now := time.Now()
	set, err := keys.Generate(keys.ES256, now)
	if err != nil {
		t.Fatal(err)
	}
	want := PortalClaims{Login: "su@test.com", Email: "su@test.com", Name: "Ivan Ivanov", TenantID: "4",
		Scope: []string{"AgentRegistration"}, AdminID: 7, Actor: "root@test.com"}
	tok, err := SignSession(set, SessionClaims{ID: "j1", Subject: "a1", Audience: AudiencePortal, Issuer: "iss",
		IssuedAt: now, ExpiresAt: now.Add(time.Hour), Portal: &want})
	if err != nil {
		t.Fatal(err)
	}
	c, err := VerifySession(tok, set, "iss", AudiencePortal, now)
	if err != nil || c.Portal == nil {
		t.Fatalf("VerifySession = %+v, %v", c, err)
	}
	got := *c.Portal
	if got.Login != want.Login || got.TenantID != "4" || len(got.Scope) != 1 || got.Scope[0] != "AgentRegistration" ||
		got.AdminID != 7 || got.Actor != want.Actor || got.Name != want.Name || got.Email != want.Email {
		t.Errorf("portal claims = %+v, want %+v", got, want)
	}
	if _, err := VerifySession(tok, set, "iss", AudiencePortalSession, now); !errors.Is(err, ErrClaims) {
		t.Errorf("a portal JWT verified as a portal SESSION: %v", err)
	}
	plain, err := SignSession(set, SessionClaims{ID: "j2", Subject: "a1", Audience: AudienceOTE, Issuer: "iss",
		IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := VerifySession(plain, set, "iss", AudienceOTE, now); err != nil || c.Portal != nil {
		t.Errorf("an ote session has portal claims: %+v, %v", c, err)
	}
}
