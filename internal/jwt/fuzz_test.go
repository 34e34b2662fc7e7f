package jwt

import (
	"strings"
	"testing"
	"time"

	"github.com/tessera-dev/tessera/internal/keys"
)

// fuzzSet has one key of each algorithm (ES256 and EdDSA retired, HS256 active), and signed
// records the signing inputs (header.payload) its keys have signed in this process.
func fuzzSet(f *testing.F) (*keys.Set, map[string]bool, []string) {
	set, err := keys.Generate(keys.ES256, t0)
	if err != nil {
		f.Fatal(err)
	}
	signed := map[string]bool{}
	var tokens []string
	add := func(tok string) {
		tokens = append(tokens, tok)
		signed[tok[:strings.LastIndexByte(tok, '.')]] = true
	}
	exp := t0.Add(time.Hour)
	for i, alg := range []keys.Algorithm{keys.EdDSA, keys.HS256, ""} {
		add(sign(f, set, claims(nil)))
		add(sign(f, set, claims(&exp)))
		if alg != "" {
			if set, err = set.Rotate(alg, t0.Add(time.Duration(i+1)*time.Minute)); err != nil {
				f.Fatal(err)
			}
		}
	}
	return set, signed, tokens
}

// FuzzVerify feeds arbitrary strings to Verify: it must never panic, and it may accept only a
// header.payload that one of the set's keys signed. Its seeds (valid tokens, and each kind of
// forgery) run as a unit test.
func FuzzVerify(f *testing.F) {
	set, signed, tokens := fuzzSet(f)
	ks := set.Keys()
	for _, tok := range tokens {
		f.Add(tok)
		parts := strings.Split(tok, ".")
		f.Add(parts[0] + "." + parts[1] + ".")
		f.Add(parts[0] + "." + parts[1])
	}
	f.Add(forge(f, header("none", ks[2].ID), payload(nil), nil))
	f.Add(forge(f, header("HS256", ks[0].ID), payload(nil), hmacSigner(must(ks[0].PublicKey().(interface{ Bytes() ([]byte, error) }).Bytes()))))
	f.Add(forge(f, header("ES256", ""), payload(nil), nil))
	f.Add(forge(f, map[string]any{"alg": "ES256", "kid": ks[0].ID, "jwk": map[string]any{"kty": "EC"}}, payload(nil), nil))
	for _, s := range []string{"", ".", "..", "...", "a.b.c", "e30.e30.", "eyJhbGciOiJub25lIn0.e30."} {
		f.Add(s)
	}

	now := t0.Add(time.Minute)
	f.Fuzz(func(t *testing.T, token string) {
		c, err := Verify(token, set, issuer, now)
		if err != nil {
			if c != nil {
				t.Fatal("claims returned with an error")
			}
			return
		}
		i := strings.LastIndexByte(token, '.')
		if i < 0 || !signed[token[:i]] {
			t.Fatalf("accepted a token the set never signed: %q", token)
		}
	})
}

// FuzzSignedPayload signs arbitrary payload bytes with the set's real active key: whatever the
// claims, Verify must not panic, and what it accepts must be self-consistent.
func FuzzSignedPayload(f *testing.F) {
	set, _, tokens := fuzzSet(f)
	for _, tok := range tokens {
		f.Add(must(b64.DecodeString(strings.Split(tok, ".")[1])))
	}
	f.Add([]byte(`{"tokenId":"t","jti":"t","accountId":"a","sub":"a","iss":"` + issuer + `","iat":1,"exp":1e300,"expirationTime":"9999-12-31T23:59:59Z"}`))
	f.Add([]byte(`{"tokenId":"t","jti":"t","accountId":"a","sub":"a","iss":"` + issuer + `","iat":-1e300,"expirationTime":null}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
	head := b64.EncodeToString([]byte(`{"alg":"HS256","kid":"` + set.Active().ID + `","typ":"JWT"}`))
	sig := signer(set)
	now := t0.Add(time.Minute)
	f.Fuzz(func(t *testing.T, payload []byte) {
		input := head + "." + b64.EncodeToString(payload)
		c, err := Verify(input+"."+b64.EncodeToString(sig([]byte(input))), set, issuer, now)
		if err != nil {
			return
		}
		if c.TokenID == "" || c.AccountID == "" || c.Issuer != issuer || (c.ExpiresAt != nil && !now.Before(*c.ExpiresAt)) {
			t.Fatalf("accepted inconsistent claims %+v from %s", c, payload)
		}
	})
}
