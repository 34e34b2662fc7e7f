package keys

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// SecretName is the Secret, in the operator's namespace, that holds the key set.
const SecretName = "tessera-signing-keys"

// Layout of the Secret's data: metadataKey holds the set's metadata as JSON; each key's material
// is under "<kid>.pem" (PKCS#8 PEM, asymmetric keys) or "<kid>.hmac" (the raw HS256 secret).
const (
	metadataKey     = "keys.json"
	metadataVersion = 1
	pemSuffix       = ".pem"
	hmacSuffix      = ".hmac"
	pemType         = "PRIVATE KEY"
)

// ErrMalformedSecret reports Secret data that is not a complete, consistent key set. Decoding
// never guesses: a Secret that fails is reported, not repaired.
var ErrMalformedSecret = errors.New("keys: malformed signing key Secret")

// metadata is the JSON under metadataKey.
type metadata struct {
	Version  int       `json:"version"`
	SetID    string    `json:"setID"`
	Revision int64     `json:"revision"`
	Active   string    `json:"active"`
	Keys     []keyMeta `json:"keys"`
}

type keyMeta struct {
	ID        string     `json:"kid"`
	Algorithm Algorithm  `json:"alg"`
	Created   time.Time  `json:"created"`
	Retired   *time.Time `json:"retired,omitempty"`
}

// NewSecret returns the Secret that stores set in namespace, labelled so that the manager's
// cache (which holds only Tessera's Secrets) sees it.
func NewSecret(namespace string, set *Set) (*corev1.Secret, error) {
	data, err := set.SecretData()
	if err != nil {
		return nil, err
	}
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name: SecretName, Namespace: namespace,
			Labels: map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue},
		},
		Type: corev1.SecretTypeOpaque,
		Data: data,
	}, nil
}

// SecretData encodes the set as a Secret's data.
func (s *Set) SecretData() (map[string][]byte, error) {
	md := metadata{Version: metadataVersion, SetID: s.id, Revision: s.revision, Active: s.active}
	data := make(map[string][]byte, len(s.keys)+1)
	for _, k := range s.keys {
		md.Keys = append(md.Keys, keyMeta{ID: k.ID, Algorithm: k.Algorithm, Created: k.CreatedAt, Retired: k.RetiredAt})
		if k.Algorithm == HS256 {
			secret, ok := k.private.([]byte)
			if !ok {
				return nil, fmt.Errorf("keys: key %s has no HMAC secret", k.ID)
			}
			data[k.ID+hmacSuffix] = bytes.Clone(secret)
			continue
		}
		der, err := x509.MarshalPKCS8PrivateKey(k.private)
		if err != nil {
			return nil, fmt.Errorf("keys: encoding key %s: %w", k.ID, err)
		}
		data[k.ID+pemSuffix] = pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: der})
	}
	raw, err := json.Marshal(md)
	if err != nil {
		return nil, err
	}
	data[metadataKey] = raw
	return data, nil
}

// FromSecretData decodes a Secret's data into a set. Anything missing, unexpected or
// inconsistent is an ErrMalformedSecret; error messages never contain key material.
func FromSecretData(data map[string][]byte) (*Set, error) {
	raw, ok := data[metadataKey]
	if !ok {
		return nil, malformed("no %s entry", metadataKey)
	}
	var md metadata
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&md); err != nil {
		return nil, malformed("%s: %v", metadataKey, err)
	}
	if dec.More() {
		return nil, malformed("%s: trailing data", metadataKey)
	}
	if md.Version != metadataVersion {
		return nil, malformed("%s: unsupported version %d", metadataKey, md.Version)
	}
	if !kidPattern.MatchString(md.SetID) || md.Revision < 1 || len(md.Keys) == 0 {
		return nil, malformed("%s: missing set id, revision or keys", metadataKey)
	}

	s := &Set{id: md.SetID, revision: md.Revision, active: md.Active, keys: make([]Key, 0, len(md.Keys))}
	expected := map[string]bool{metadataKey: true}
	for _, m := range md.Keys {
		k, entry, err := decodeKey(m, data)
		if err != nil {
			return nil, err
		}
		if expected[entry] {
			return nil, malformed("key %s appears twice", m.ID)
		}
		expected[entry] = true
		if m.ID == md.Active && m.Retired != nil {
			return nil, malformed("the active key %s is marked retired", m.ID)
		}
		if m.ID != md.Active && m.Retired == nil {
			return nil, malformed("key %s is neither active nor retired", m.ID)
		}
		s.keys = append(s.keys, k)
	}
	if _, ok := s.Lookup(md.Active); !ok {
		return nil, malformed("active key %q is not in the set", md.Active)
	}
	// An entry the metadata does not name could be a key this decoding would silently drop.
	for name := range data {
		if !expected[name] {
			return nil, malformed("unexpected entry %q", name)
		}
	}
	return s, nil
}

// decodeKey rebuilds one key from its metadata and its data entry, whose name it returns.
func decodeKey(m keyMeta, data map[string][]byte) (Key, string, error) {
	if !kidPattern.MatchString(m.ID) {
		return Key{}, "", malformed("invalid key id %q", m.ID)
	}
	if !m.Algorithm.Valid() {
		return Key{}, "", malformed("key %s: unsupported algorithm %q", m.ID, m.Algorithm)
	}
	if m.Created.IsZero() {
		return Key{}, "", malformed("key %s: no creation time", m.ID)
	}
	k := Key{ID: m.ID, Algorithm: m.Algorithm, CreatedAt: m.Created, RetiredAt: m.Retired}
	if m.Algorithm == HS256 {
		entry := m.ID + hmacSuffix
		secret, ok := data[entry]
		if !ok {
			return Key{}, "", malformed("key %s: no %s entry", m.ID, entry)
		}
		if len(secret) < hmacSecretLen {
			return Key{}, "", malformed("key %s: HMAC secret shorter than %d bytes", m.ID, hmacSecretLen)
		}
		k.private = bytes.Clone(secret)
		return k, entry, nil
	}
	entry := m.ID + pemSuffix
	raw, ok := data[entry]
	if !ok {
		return Key{}, "", malformed("key %s: no %s entry", m.ID, entry)
	}
	private, public, err := parsePrivateKey(m.Algorithm, raw)
	if err != nil {
		return Key{}, "", malformed("key %s: %v", m.ID, err)
	}
	k.private, k.public = private, public
	return k, entry, nil
}

// parsePrivateKey reads exactly one PKCS#8 PEM block holding a key of alg.
func parsePrivateKey(alg Algorithm, raw []byte) (private, public any, err error) {
	block, rest := pem.Decode(raw)
	if block == nil || block.Type != pemType || len(block.Headers) != 0 {
		return nil, nil, errors.New("not a PKCS#8 PEM private key")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, nil, errors.New("data after the PEM block")
	}
	// x509's errors describe the structure, never the key bytes.
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, nil, err
	}
	switch k := parsed.(type) {
	case *ecdsa.PrivateKey:
		if alg == ES256 && k.Curve == elliptic.P256() {
			return k, &k.PublicKey, nil
		}
	case ed25519.PrivateKey:
		if alg == EdDSA {
			return k, k.Public().(ed25519.PublicKey), nil
		}
	}
	return nil, nil, fmt.Errorf("the PEM key is a %T, not a %s key", parsed, alg)
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedSecret, strings.TrimSpace(fmt.Sprintf(format, args...)))
}
