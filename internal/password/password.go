// Package password hashes and verifies account passwords. Tessera hashes with argon2id, using
// OWASP's recommended parameters, in the PHC string format ($argon2id$v=19$m=...,t=...,p=...$salt$hash)
// so that the parameters travel with each hash and can be raised later. It also verifies hashes
// made elsewhere and taken from Git (spec.passwordSecretRef with format hash): argon2id PHC
// strings with other parameters and bcrypt hashes ($2a$, $2b$, $2y$), once Check has found
// their parameters within bounds.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// OWASP's argon2id recommendation: 19 MiB of memory, 2 iterations, 1 degree of parallelism.
const (
	memoryKiB  = 19 * 1024
	iterations = 2
	threads    = 1
	saltLen    = 16
	keyLen     = 32
)

// Bounds of a hash made elsewhere. The minimums are OWASP's (argon2id m=19 MiB, t=2, p=1;
// bcrypt cost 10); Check refuses a weaker hash. The maximums keep a hostile tenant from making
// every sign-in allocate gigabytes or run for seconds; Verify refuses a costlier hash too, so
// that a tampered hash Secret cannot do it either.
const (
	MinMemoryKiB  = 19 * 1024
	MaxMemoryKiB  = 256 * 1024
	MinIterations = 2
	MaxIterations = 10
	MinThreads    = 1
	MaxThreads    = 16
	MinBcryptCost = 10
	MaxBcryptCost = 14

	minSalt, maxSalt = 8, 64  // bytes of an argon2id salt (RFC 9106 recommends 16)
	minKey, maxKey   = 16, 64 // bytes of an argon2id hash
	bcryptMaxInput   = 72     // bcrypt ignores what follows; Verify refuses longer passwords
)

// Errors of Check and Verify. Their messages name what is wrong, never the hash.
var (
	// ErrMalformedHash reports a string that is not a well-formed argon2id PHC string or bcrypt hash.
	ErrMalformedHash = errors.New("password: malformed hash")
	// ErrWeakHash reports a hash whose parameters are below the minimums.
	ErrWeakHash = errors.New("password: hash too weak")
	// ErrCostlyHash reports a hash whose parameters exceed the maximums.
	ErrCostlyHash = errors.New("password: hash too costly to verify")
)

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

// Check reports whether encoded, a hash made elsewhere, may be stored as an Account's password
// hash: a well-formed argon2id PHC string (v=19) or bcrypt hash ($2a$, $2b$, $2y$) whose
// parameters are within the bounds above. The error wraps ErrMalformedHash, ErrWeakHash or
// ErrCostlyHash and says what is wrong without quoting the hash.
func Check(encoded string) error {
	p, err := parse(encoded)
	if err != nil {
		return err
	}
	if err := p.tooCostly(); err != nil {
		return err
	}
	return p.tooWeak()
}

// IsHash reports whether s has the form of an argon2id PHC string or a bcrypt hash, whatever
// its parameters: a "plaintext" of that form is almost certainly a hash put in the wrong place.
func IsHash(s string) bool {
	_, err := parse(s)
	return err == nil
}

// Verify reports whether plaintext matches the hash encoded (argon2id PHC or bcrypt). The
// comparison runs in constant time; a malformed or too costly hash is an error, never a match.
// A bcrypt hash never matches a plaintext longer than bcrypt's 72 bytes.
func Verify(plaintext, encoded string) (bool, error) {
	p, err := parse(encoded)
	if err != nil {
		return false, err
	}
	if err := p.tooCostly(); err != nil {
		return false, err
	}
	if p.bcrypt {
		if len(plaintext) > bcryptMaxInput {
			return false, nil
		}
		err := bcrypt.CompareHashAndPassword([]byte(encoded), []byte(plaintext))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return false, nil
		}
		return err == nil, err
	}
	key := argon2.IDKey([]byte(plaintext), p.salt, p.iterations, p.memory, uint8(p.threads), uint32(len(p.key)))
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

// params are a parsed hash: argon2id's memory, iterations, threads, salt and key, or bcrypt's cost.
type params struct {
	bcrypt                      bool
	cost                        int
	memory, iterations, threads uint32
	salt, key                   []byte
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedHash, fmt.Sprintf(format, args...))
}

// parse checks the form of a hash, not its bounds.
func parse(encoded string) (params, error) {
	switch {
	case strings.HasPrefix(encoded, "$argon2id$"):
		return parseArgon2id(encoded)
	case strings.HasPrefix(encoded, "$2a$"), strings.HasPrefix(encoded, "$2b$"), strings.HasPrefix(encoded, "$2y$"):
		return parseBcrypt(encoded)
	case strings.HasPrefix(encoded, "$2"):
		return params{}, malformed("bcrypt variants other than $2a$, $2b$ and $2y$ are not supported")
	case strings.HasPrefix(encoded, "$argon2"):
		return params{}, malformed("only argon2id is supported, not argon2i or argon2d")
	}
	return params{}, malformed("neither an argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash) nor a bcrypt hash ($2a$, $2b$, $2y$)")
}

func parseArgon2id(encoded string) (params, error) {
	var p params
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 {
		return p, malformed("an argon2id PHC string has 5 fields separated by $: argon2id, v=19, m=…,t=…,p=…, salt and hash")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, malformed("the argon2id version must be v=%d", argon2.Version)
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return p, malformed("the argon2id parameters must be m=…,t=…,p=… and nothing else")
	}
	for i, f := range []struct {
		name string
		v    *uint32
	}{{"m", &p.memory}, {"t", &p.iterations}, {"p", &p.threads}} {
		s, ok := strings.CutPrefix(kv[i], f.name+"=")
		n, err := strconv.ParseUint(s, 10, 32)
		if !ok || err != nil {
			return p, malformed("argon2id parameter %d must be %s=<decimal number>", i+1, f.name)
		}
		*f.v = uint32(n)
	}
	// What argon2 itself requires (it panics on t=0 or p=0): at least 8 KiB per lane.
	if p.iterations == 0 || p.threads == 0 || uint64(p.memory) < 8*uint64(p.threads) {
		return p, malformed("argon2id needs t ≥ 1, p ≥ 1 and m ≥ 8·p KiB")
	}
	var err error
	if p.salt, err = b64.Strict().DecodeString(parts[4]); err != nil || len(p.salt) < minSalt || len(p.salt) > maxSalt {
		return p, malformed("the argon2id salt must be %d to %d bytes in unpadded base64", minSalt, maxSalt)
	}
	if p.key, err = b64.Strict().DecodeString(parts[5]); err != nil || len(p.key) < minKey || len(p.key) > maxKey {
		return p, malformed("the argon2id hash must be %d to %d bytes in unpadded base64", minKey, maxKey)
	}
	return p, nil
}

// bcryptAlphabet is bcrypt's base64 alphabet.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

func parseBcrypt(encoded string) (params, error) {
	// $2y$10$ + 22 characters of salt + 31 of hash
	p := params{bcrypt: true}
	if len(encoded) != 60 || encoded[6] != '$' {
		return p, malformed("a bcrypt hash is 60 characters: $2y$, a two-digit cost, $, 22 characters of salt and 31 of hash")
	}
	cost, err := strconv.Atoi(encoded[4:6])
	if err != nil || encoded[4] == '-' || encoded[4] == '+' {
		return p, malformed("the bcrypt cost must be two digits")
	}
	p.cost = cost
	for i := 7; i < len(encoded); i++ {
		if !strings.ContainsRune(bcryptAlphabet, rune(encoded[i])) {
			return p, malformed("the bcrypt salt and hash must be in bcrypt's base64 alphabet")
		}
	}
	return p, nil
}

// tooCostly refuses parameters above the maximums.
func (p params) tooCostly() error {
	if p.bcrypt {
		if p.cost > MaxBcryptCost {
			return fmt.Errorf("%w: bcrypt cost %d is above the maximum %d", ErrCostlyHash, p.cost, MaxBcryptCost)
		}
		return nil
	}
	switch {
	case p.memory > MaxMemoryKiB:
		return fmt.Errorf("%w: argon2id memory m=%d KiB is above the maximum %d KiB (%d MiB)", ErrCostlyHash, p.memory, MaxMemoryKiB, MaxMemoryKiB/1024)
	case p.iterations > MaxIterations:
		return fmt.Errorf("%w: argon2id iterations t=%d are above the maximum %d", ErrCostlyHash, p.iterations, MaxIterations)
	case p.threads > MaxThreads:
		return fmt.Errorf("%w: argon2id parallelism p=%d is above the maximum %d", ErrCostlyHash, p.threads, MaxThreads)
	}
	return nil
}

// tooWeak refuses parameters below the minimums.
func (p params) tooWeak() error {
	if p.bcrypt {
		if p.cost < MinBcryptCost {
			return fmt.Errorf("%w: bcrypt cost %d is below the minimum %d", ErrWeakHash, p.cost, MinBcryptCost)
		}
		return nil
	}
	switch {
	case p.memory < MinMemoryKiB:
		return fmt.Errorf("%w: argon2id memory m=%d KiB is below the minimum %d KiB (%d MiB)", ErrWeakHash, p.memory, MinMemoryKiB, MinMemoryKiB/1024)
	case p.iterations < MinIterations:
		return fmt.Errorf("%w: argon2id iterations t=%d are below the minimum %d", ErrWeakHash, p.iterations, MinIterations)
	case p.threads < MinThreads:
		return fmt.Errorf("%w: argon2id parallelism p=%d is below the minimum %d", ErrWeakHash, p.threads, MinThreads)
	}
	return nil
}
