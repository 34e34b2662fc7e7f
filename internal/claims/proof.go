package claims

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// AnnotationGeneratedProof carries a Prover's proof that the mutating webhook generated the
// object's UUID (a Token's tokenID, an Account's accountID) in the same create, so that the
// validating webhook need not claim it. The Token validating webhook's matchConditions name it
// too (webhook.TokenDefaulter): renaming it means changing that marker.
const AnnotationGeneratedProof = "tenancy.tessera.dev/generated-id-proof"

// Prover vouches for values the defaulter generated. A random UUIDv4 cannot collide, so it needs
// no Lease; only a client-chosen value does. The validator must not take a client's word for
// which is which, hence an HMAC under a key only this process knows, over the namespace, the
// name (or generateName), the value and the time. The defaulter removes any proof a client sent
// before it generates, so a proof seen by the validator was made in this request's admission
// chain; the binding and the age limit only matter when the defaulter did not run (a changed
// webhook configuration) or a later webhook changed the value. The key is per process: with
// several replicas, a create whose two webhook calls reach different replicas falls back to the
// claim, which is correct, only dearer. Where the validating webhook's matchConditions are in
// place, a create carrying a proof does not reach the validator at all.
type Prover struct {
	key []byte
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NewProver returns a Prover with a fresh random key.
func NewProver() *Prover {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("claims: no randomness for the proof key: " + err.Error())
	}
	return &Prover{key: key}
}

// Prove returns a proof that value was generated for the object named by namespace and name.
func (p *Prover) Prove(namespace, name, value string) string {
	at := strconv.FormatInt(p.now().Unix(), 10)
	return "v1." + at + "." + p.mac(namespace, name, value, at)
}

// Verify reports whether proof was made by this Prover for namespace, name and value less than
// StaleAfter ago (longer than any admission request).
func (p *Prover) Verify(namespace, name, value, proof string) bool {
	rest, ok := strings.CutPrefix(proof, "v1.")
	at, mac, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || value == "" {
		return false
	}
	sec, err := strconv.ParseInt(at, 10, 64)
	if err != nil || p.now().Sub(time.Unix(sec, 0)).Abs() > StaleAfter {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(p.mac(namespace, name, value, at)))
}

func (p *Prover) mac(namespace, name, value, at string) string {
	h := hmac.New(sha256.New, p.key)
	h.Write([]byte(namespace + "\x00" + name + "\x00" + value + "\x00" + at))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

func (p *Prover) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}
