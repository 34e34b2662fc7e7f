package jwt

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tessera-dev/tessera/internal/keys"
)

const issuer = "https://tessera.example"

var (
	t0   = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	algs = []keys.Algorithm{keys.ES256, keys.EdDSA, keys.HS256}
)

func newSet(t testing.TB, alg keys.Algorithm) *keys.Set {
	t.Helper()
	s, err := keys.Generate(alg, t0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func claims(exp *time.Time) Claims {
	return Claims{
		TokenID: "7f3c2a9e-1b4d-4c8e-9f0a-2d6b5e8c1a3f", AccountID: "0b1e4d2c-8a7f-4e3b-9c6d-5f2a1e0b9d8c",
		VisibilityArea: "account", Issuer: issuer, IssuedAt: t0, ExpiresAt: exp,
	}
}

func sign(t testing.TB, set *keys.Set, c Claims) string {
	t.Helper()
	tok, kid, err := Sign(set, c)
	if err != nil {
		t.Fatal(err)
	}
	if kid != set.Active().ID {
		t.Fatalf("Sign returned kid %s, active is %s", kid, set.Active().ID)
	}
	return tok
}

// segment decodes one part of a compact token as JSON.
func segment(t *testing.T, token string, i int) map[string]any {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[i])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRoundTrip(t *testing.T) {
	exp := t0.Add(24 * time.Hour)
	for _, alg := range algs {
		t.Run(string(alg), func(t *testing.T) {
			set := newSet(t, alg)

			tok := sign(t, set, claims(&exp))
			h := segment(t, tok, 0)
			if h["alg"] != string(alg) || h["kid"] != set.Active().ID || h["typ"] != "JWT" || len(h) != 3 {
				t.Fatalf("header = %v", h)
			}
			p := segment(t, tok, 1)
			want := map[string]any{
				"tokenId": claims(nil).TokenID, "jti": claims(nil).TokenID,
				"accountId": claims(nil).AccountID, "sub": claims(nil).AccountID,
				"visibilityArea": "account", "iss": issuer, "iat": float64(t0.Unix()),
				"exp": float64(exp.Unix()), "expirationTime": "2026-03-02T12:00:00Z",
			}
			if len(p) != len(want) {
				t.Fatalf("payload = %v", p)
			}
			for k, v := range want {
				if p[k] != v {
					t.Fatalf("payload[%s] = %v, want %v", k, p[k], v)
				}
			}
			got, err := Verify(tok, set, issuer, t0.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if got.TokenID != claims(nil).TokenID || got.AccountID != claims(nil).AccountID || got.VisibilityArea != "account" ||
				got.Issuer != issuer || !got.IssuedAt.Equal(t0) || got.ExpiresAt == nil || !got.ExpiresAt.Equal(exp) {
				t.Fatalf("Verify = %+v", got)
			}

			// An eternal token: "expirationTime": null and no exp.
			tok = sign(t, set, claims(nil))
			p = segment(t, tok, 1)
			if v, ok := p["expirationTime"]; !ok || v != nil {
				t.Fatalf("eternal token's expirationTime = %v, %v; want an explicit null", v, ok)
			}
			if _, ok := p["exp"]; ok {
				t.Fatal("eternal token has exp")
			}
			got, err = Verify(tok, set, issuer, t0.AddDate(100, 0, 0))
			if err != nil || got.ExpiresAt != nil {
				t.Fatalf("Verify(eternal) = %+v, %v", got, err)
			}
		})
	}
}

func TestSignRequiresClaimsAndSet(t *testing.T) {
	set := newSet(t, keys.ES256)
	for _, c := range []Claims{
		{AccountID: "a", Issuer: issuer, IssuedAt: t0},
		{TokenID: "t", Issuer: issuer, IssuedAt: t0},
		{TokenID: "t", AccountID: "a", IssuedAt: t0},
		{TokenID: "t", AccountID: "a", Issuer: issuer},
	} {
		if _, _, err := Sign(set, c); !errors.Is(err, ErrClaims) {
			t.Errorf("Sign(%+v) = %v; want ErrClaims", c, err)
		}
	}
	if _, _, err := Sign(nil, claims(nil)); err == nil {
		t.Error("Sign(nil set) succeeded")
	}
	if _, err := Verify(sign(t, set, claims(nil)), nil, issuer, t0); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Verify(nil set) = %v", err)
	}
}

func TestRotationKeepsOldTokensUntilPruned(t *testing.T) {
	for _, alg := range algs {
		t.Run(string(alg), func(t *testing.T) {
			set := newSet(t, alg)
			old := sign(t, set, claims(nil))
			oldKid := set.Active().ID

			rotated, err := set.Rotate(alg, t0.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			fresh := sign(t, rotated, claims(nil))
			if segment(t, fresh, 0)["kid"] == oldKid {
				t.Fatal("the rotated set still signs with the old key")
			}
			for _, tok := range []string{old, fresh} {
				if _, err := Verify(tok, rotated, issuer, t0); err != nil {
					t.Fatalf("after rotation: %v", err)
				}
			}
			// The old set does not know the new key.
			if _, err := Verify(fresh, set, issuer, t0); !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("new token against the old set: %v", err)
			}

			pruned := rotated.Prune(func(string) bool { return false })
			if _, err := Verify(old, pruned, issuer, t0); !errors.Is(err, ErrUnknownKey) {
				t.Fatalf("after Prune, the old token: %v; want ErrUnknownKey", err)
			}
			if _, err := Verify(fresh, pruned, issuer, t0); err != nil {
				t.Fatalf("after Prune, the new token: %v", err)
			}
		})
	}
}

func TestDiscovery(t *testing.T) {
	for _, iss := range []string{issuer, issuer + "/"} {
		d := Discovery(iss)
		if d["issuer"] != iss || d["jwks_uri"] != issuer+"/.well-known/jwks.json" {
			t.Fatalf("Discovery(%q) = %v", iss, d)
		}
		if _, err := json.Marshal(d); err != nil {
			t.Fatal(err)
		}
		algs := d["id_token_signing_alg_values_supported"].([]string)
		if len(algs) != 2 || algs[0] != "ES256" || algs[1] != "EdDSA" {
			t.Fatalf("algorithms = %v", algs)
		}
	}
}
