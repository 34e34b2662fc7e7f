package jwt

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tessera-dev/tessera/internal/keys"
)

var b64 = base64.RawURLEncoding

// forge builds a compact token from any header and payload, signed by sign (nil: no signature).
func forge(t testing.TB, header, payload map[string]any, sign func(input []byte) []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	p, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	input := b64.EncodeToString(h) + "." + b64.EncodeToString(p)
	var sig []byte
	if sign != nil {
		sig = sign([]byte(input))
	}
	return input + "." + b64.EncodeToString(sig)
}

func esSigner(k *ecdsa.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte {
		sum := sha256.Sum256(in)
		r, s, err := ecdsa.Sign(rand.Reader, k, sum[:])
		if err != nil {
			panic(err)
		}
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out
	}
}

func edSigner(k ed25519.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte { return ed25519.Sign(k, in) }
}

func hmacSigner(secret []byte) func([]byte) []byte {
	return func(in []byte) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write(in)
		return m.Sum(nil)
	}
}

// payload is a valid eternal-token payload; edit changes it.
func payload(edit func(map[string]any)) map[string]any {
	c := claims(nil)
	p := map[string]any{
		"tokenId": c.TokenID, "jti": c.TokenID, "accountId": c.AccountID, "sub": c.AccountID,
		"visibilityArea": "all", "iss": issuer, "iat": t0.Unix(), "expirationTime": nil,
	}
	if edit != nil {
		edit(p)
	}
	return p
}

func header(alg, kid string) map[string]any {
	h := map[string]any{"alg": alg, "typ": "JWT"}
	if kid != "" {
		h["kid"] = kid
	}
	return h
}

// signer returns a function that signs with the set's real active key, so that a test can show
// a token is refused for its claims or header alone, not for a bad signature.
func signer(set *keys.Set) func([]byte) []byte {
	switch k := set.Active().SigningKey().(type) {
	case *ecdsa.PrivateKey:
		return esSigner(k)
	case ed25519.PrivateKey:
		return edSigner(k)
	case []byte:
		return hmacSigner(k)
	}
	panic("unknown key type")
}

func TestForgedTokensAreRefused(t *testing.T) {
	es := newSet(t, keys.ES256)
	ed := newSet(t, keys.EdDSA)
	hs := newSet(t, keys.HS256)
	esKid, edKid, hsKid := es.Active().ID, ed.Active().ID, hs.Active().ID
	esPub := es.Active().PublicKey().(*ecdsa.PublicKey)
	edPub := ed.Active().PublicKey().(ed25519.PublicKey)

	// Encodings of the ES256 public key an attacker might try as an HMAC secret.
	pkix, _ := x509.MarshalPKIXPublicKey(esPub)
	point, _ := esPub.Bytes()
	jwks, _ := json.Marshal(es.JWKS())
	confusion := [][]byte{pkix, point, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}), jwks}

	foreignES, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, foreignEd, _ := ed25519.GenerateKey(rand.Reader)
	foreignJWK := map[string]any{"kty": "EC", "crv": "P-256", "kid": esKid,
		"x": b64.EncodeToString(must(foreignES.PublicKey.Bytes())[1:33]), "y": b64.EncodeToString(must(foreignES.PublicKey.Bytes())[33:])}

	type tc struct {
		name  string
		set   *keys.Set
		token string
		want  error
	}
	cases := []tc{
		{"alg none", es, forge(t, header("none", esKid), payload(nil), nil), ErrAlgorithm},
		{"alg none with signature", es, forge(t, header("none", esKid), payload(nil), esSigner(foreignES)), ErrAlgorithm},
		{"alg None", hs, forge(t, header("None", hsKid), payload(nil), nil), ErrAlgorithm},
		{"alg missing", es, forge(t, map[string]any{"kid": esKid}, payload(nil), signer(es)), ErrAlgorithm},
		{"alg not a string", es, forge(t, map[string]any{"alg": 7, "kid": esKid}, payload(nil), signer(es)), ErrAlgorithm},
		{"alg lower case", es, forge(t, header("es256", esKid), payload(nil), signer(es)), ErrAlgorithm},
		{"alg RS256", es, forge(t, header("RS256", esKid), payload(nil), signer(es)), ErrAlgorithm},
		{"alg HS512", hs, forge(t, header("HS512", hsKid), payload(nil), signer(hs)), ErrAlgorithm},
		{"alg ES384", es, forge(t, header("ES384", esKid), payload(nil), signer(es)), ErrAlgorithm},
		{"EdDSA header on ES256 key", es, forge(t, header("EdDSA", esKid), payload(nil), edSigner(foreignEd)), ErrAlgorithm},
		{"ES256 header on EdDSA key", ed, forge(t, header("ES256", edKid), payload(nil), esSigner(foreignES)), ErrAlgorithm},
		{"HS256 header on EdDSA key, its public key as secret", ed, forge(t, header("HS256", edKid), payload(nil), hmacSigner(edPub)), ErrAlgorithm},

		{"foreign ES256 key, same kid", es, forge(t, header("ES256", esKid), payload(nil), esSigner(foreignES)), ErrSignature},
		{"foreign EdDSA key, same kid", ed, forge(t, header("EdDSA", edKid), payload(nil), edSigner(foreignEd)), ErrSignature},
		{"foreign HMAC secret, same kid", hs, forge(t, header("HS256", hsKid), payload(nil), hmacSigner(make([]byte, 32))), ErrSignature},
		{"foreign key in jwk header", es, forge(t, map[string]any{"alg": "ES256", "kid": esKid, "jwk": foreignJWK}, payload(nil), esSigner(foreignES)), ErrMalformed},
		{"jku header", es, forge(t, map[string]any{"alg": "ES256", "kid": esKid, "jku": "https://evil.example/jwks"}, payload(nil), signer(es)), ErrMalformed},
		{"x5u header", es, forge(t, map[string]any{"alg": "ES256", "kid": esKid, "x5u": "https://evil.example/cert"}, payload(nil), signer(es)), ErrMalformed},
		{"crit header", es, forge(t, map[string]any{"alg": "ES256", "kid": esKid, "crit": []string{"exp"}}, payload(nil), signer(es)), ErrMalformed},

		{"kid names no key", es, forge(t, header("ES256", "AAAAAAAAAAAAAAAAAAAAAA"), payload(nil), signer(es)), ErrUnknownKey},
		{"kid of another set", es, forge(t, header("EdDSA", edKid), payload(nil), signer(ed)), ErrUnknownKey},
		{"kid missing", es, forge(t, header("ES256", ""), payload(nil), signer(es)), ErrUnknownKey},
		{"kid not a string", es, forge(t, map[string]any{"alg": "ES256", "kid": 1}, payload(nil), signer(es)), ErrUnknownKey},

		{"expired", es, forge(t, header("ES256", esKid), payload(func(p map[string]any) {
			p["exp"], p["expirationTime"] = t0.Unix(), t0.Format(time.RFC3339)
		}), signer(es)), ErrExpired},
		{"wrong issuer", es, forge(t, header("ES256", esKid), payload(func(p map[string]any) { p["iss"] = "https://evil.example" }), signer(es)), ErrIssuer},
		{"no issuer", es, forge(t, header("ES256", esKid), payload(func(p map[string]any) { delete(p, "iss") }), signer(es)), ErrIssuer},
		{"expirationTime later than exp", es, forge(t, header("ES256", esKid), payload(func(p map[string]any) {
			p["exp"], p["expirationTime"] = t0.Add(time.Hour).Unix(), t0.Add(48*time.Hour).Format(time.RFC3339)
		}), signer(es)), ErrClaims},
		{"exp without expirationTime", es, forge(t, header("ES256", esKid), payload(func(p map[string]any) { p["exp"] = t0.Add(time.Hour).Unix() }), signer(es)), ErrClaims},
		{"expirationTime without exp", es, forge(t, header("ES256", esKid), payload(func(p map[string]any) {
			p["expirationTime"] = t0.Add(time.Hour).Format(time.RFC3339)
		}), signer(es)), ErrClaims},
		{"expirationTime not RFC 3339", es, forge(t, header("ES256", esKid), payload(func(p map[string]any) {
			p["exp"], p["expirationTime"] = t0.Add(time.Hour).Unix(), "tomorrow"
		}), signer(es)), ErrClaims},
		{"jti differs from tokenId", es, forge(t, header("ES256", esKid), payload(func(p map[string]any) { p["jti"] = "other" }), signer(es)), ErrClaims},
		{"sub differs from accountId", es, forge(t, header("ES256", esKid), payload(func(p map[string]any) { p["sub"] = "other" }), signer(es)), ErrClaims},
		{"no iat", es, forge(t, header("ES256", esKid), payload(func(p map[string]any) { delete(p, "iat") }), signer(es)), ErrClaims},
		{"no tokenId", es, forge(t, header("ES256", esKid), payload(func(p map[string]any) { delete(p, "tokenId"); delete(p, "jti") }), signer(es)), ErrClaims},
		{"exp not a number", es, forge(t, header("ES256", esKid), payload(func(p map[string]any) { p["exp"] = "soon" }), signer(es)), ErrMalformed},

		{"empty", es, "", ErrMalformed},
		{"two segments", es, "a.b", ErrMalformed},
		{"four segments", es, sign(t, es, claims(nil)) + ".x", ErrMalformed},
		{"padded base64", es, strings.Replace(sign(t, es, claims(nil)), ".", "=.", 1), ErrMalformed},
		{"header not JSON", es, b64.EncodeToString([]byte("nope")) + ".e30.", ErrMalformed},
		{"too long", es, strings.Repeat("a", 9000) + ".b.c", ErrMalformed},
	}
	cases = slices.Grow(cases, len(confusion)+4)
	for _, secret := range confusion {
		cases = append(cases, tc{"HS256 with the ES256 public key as secret", es,
			forge(t, header("HS256", esKid), payload(nil), hmacSigner(secret)), ErrAlgorithm})
	}

	good := sign(t, es, claims(nil))
	parts := strings.Split(good, ".")
	other := strings.Split(forge(t, header("ES256", esKid), payload(func(p map[string]any) { p["visibilityArea"] = "all" }), nil), ".")
	good2 := sign(t, es, claims(new(t0.Add(time.Hour))))
	cases = append(cases,
		// A token whose payload is swapped after signing.
		tc{"payload swapped", es, parts[0] + "." + other[1] + "." + parts[2], ErrSignature},
		// The signature of another of our tokens.
		tc{"signature swapped", es, parts[0] + "." + parts[1] + "." + strings.Split(good2, ".")[2], ErrSignature},
		// A truncated signature.
		tc{"signature truncated", es, parts[0] + "." + parts[1] + "." + b64.EncodeToString(must(b64.DecodeString(parts[2]))[:60]), ErrSignature},
		tc{"signature empty", es, parts[0] + "." + parts[1] + ".", ErrSignature})

	all := []error{ErrMalformed, ErrAlgorithm, ErrUnknownKey, ErrSignature, ErrExpired, ErrIssuer, ErrClaims}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Verify(c.token, c.set, issuer, t0.Add(time.Minute))
			if got != nil || !errors.Is(err, c.want) {
				t.Fatalf("Verify = %+v, %v; want %v", got, err, c.want)
			}
			for _, e := range all {
				if e != c.want && errors.Is(err, e) {
					t.Fatalf("error %v also matches %v", err, e)
				}
			}
		})
	}

	// The same forged-with-real-key tokens pass once their flaw is removed: the harness itself
	// is sound.
	if _, err := Verify(forge(t, header("ES256", esKid), payload(nil), signer(es)), es, issuer, t0); err != nil {
		t.Fatalf("a well-formed token forged with the real key: %v", err)
	}
}

func TestExpiryIsExact(t *testing.T) {
	set := newSet(t, keys.EdDSA)
	exp := t0.Add(time.Hour)
	tok := sign(t, set, claims(&exp))
	if _, err := Verify(tok, set, issuer, exp.Add(-time.Nanosecond)); err != nil {
		t.Fatalf("just before exp: %v", err)
	}
	for _, at := range []time.Time{exp, exp.Add(time.Second), exp.AddDate(1, 0, 0)} {
		if _, err := Verify(tok, set, issuer, at); !errors.Is(err, ErrExpired) {
			t.Fatalf("at %s: %v; want ErrExpired", at, err)
		}
	}
}

// TestJWKSVerifiesOffline checks that a third party holding only the JWKS JSON can verify a
// token with the standard library.
func TestJWKSVerifiesOffline(t *testing.T) {
	for _, alg := range []keys.Algorithm{keys.ES256, keys.EdDSA} {
		t.Run(string(alg), func(t *testing.T) {
			set := newSet(t, alg)
			tok := sign(t, set, claims(nil))
			raw, err := json.Marshal(set.JWKS())
			if err != nil {
				t.Fatal(err)
			}
			var jwks struct {
				Keys []struct{ Kty, Crv, X, Y, Kid, Alg, Use string }
			}
			if err := json.Unmarshal(raw, &jwks); err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(tok, ".")
			input := []byte(parts[0] + "." + parts[1])
			sig := must(b64.DecodeString(parts[2]))
			kid := segment(t, tok, 0)["kid"]
			found := false
			for _, k := range jwks.Keys {
				if k.Kid != kid {
					continue
				}
				found = true
				x := must(b64.DecodeString(k.X))
				switch k.Kty {
				case "EC":
					y := must(b64.DecodeString(k.Y))
					pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
					if err != nil {
						t.Fatal(err)
					}
					sum := sha256.Sum256(input)
					r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
					if k.Crv != "P-256" || k.Alg != "ES256" || !ecdsa.Verify(pub, sum[:], r, s) {
						t.Fatal("ES256 signature does not verify with the JWKS key")
					}
				case "OKP":
					if k.Crv != "Ed25519" || k.Alg != "EdDSA" || !ed25519.Verify(ed25519.PublicKey(x), input, sig) {
						t.Fatal("EdDSA signature does not verify with the JWKS key")
					}
				default:
					t.Fatalf("unexpected kty %s", k.Kty)
				}
			}
			if !found {
				t.Fatalf("kid %v not in the JWKS %s", kid, raw)
			}
		})
	}
	t.Run("HS256 never published", func(t *testing.T) {
		set := newSet(t, keys.ES256)
		set, _ = set.Rotate(keys.HS256, t0.Add(time.Hour))
		raw, _ := json.Marshal(set.JWKS())
		if strings.Contains(string(raw), set.Active().ID) || strings.Contains(string(raw), "HS256") || strings.Contains(string(raw), `"oct"`) {
			t.Fatalf("JWKS publishes the HS256 key: %s", raw)
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
