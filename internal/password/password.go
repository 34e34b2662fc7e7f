// Package password hashes and verifies account passwords with argon2id, using OWASP's
// recommended parameters, in the PHC string format ($argon2id$v=19$m=...,t=...,p=...$salt$hash)
// so that the parameters travel with each hash and can be raised later.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// OWASP's argon2id recommendation: 19 MiB of memory, 2 iterations, 1 degree of parallelism.
const (
	memoryKiB  = 19 * 1024
	iterations = 2
	threads    = 1
	saltLen    = 16
	keyLen     = 32
)

// ErrMalformedHash reports a stored hash that is not an argon2id PHC string.
var ErrMalformedHash = errors.New("password: malformed argon2id hash")

var b64 = base64.RawStdEncoding

// Hash returns the argon2id PHC string of plaintext with a fresh random salt.
func Hash(plaintext string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(plaintext), salt, iterations, memoryKiB, threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, memoryKiB, iterations, threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether plaintext matches the PHC string encoded. The comparison runs in
// constant time; a malformed hash is an error, never a match.
func Verify(plaintext, encoded string) (bool, error) {
	p, err := parse(encoded)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(plaintext), p.salt, p.iterations, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

// dummy is a valid hash of a random password, verified against when a login does not exist so
// that a missing account costs the same time as a wrong password.
var dummy = func() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h, err := Hash(string(b))
	if err != nil {
		panic(err)
	}
	return h
}()

// VerifyDummy spends one hash verification and always reports no match.
func VerifyDummy(plaintext string) {
	_, _ = Verify(plaintext, dummy)
}

type params struct {
	memory, iterations uint32
	threads            uint8
	salt, key          []byte
}

func parse(encoded string) (params, error) {
	var p params
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, ErrMalformedHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, ErrMalformedHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.memory, &p.iterations, &p.threads); err != nil {
		return p, ErrMalformedHash
	}
	// Bounds keep a tampered hash from making verification arbitrarily expensive.
	if p.memory == 0 || p.memory > 1<<20 || p.iterations == 0 || p.iterations > 16 || p.threads == 0 {
		return p, ErrMalformedHash
	}
	var err error
	if p.salt, err = b64.DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return p, ErrMalformedHash
	}
	if p.key, err = b64.DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > 64 {
		return p, ErrMalformedHash
	}
	return p, nil
}
