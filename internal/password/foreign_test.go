package password

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// argon2idPHC hashes pw as another tool would, with parameters of its own.
func argon2idPHC(pw string, m, t uint32, p uint8, salt string, keyLen uint32) string {
	key := argon2.IDKey([]byte(pw), []byte(salt), t, m, p, keyLen)
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", m, t, p, b64.EncodeToString([]byte(salt)), b64.EncodeToString(key))
}

// bcryptHash hashes pw with bcrypt at cost and writes it with prefix ($2a$, $2b$, $2y$: the
// same algorithm under the names of different tools).
func bcryptHash(t *testing.T, pw string, cost int, prefix string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		t.Fatal(err)
	}
	return prefix + string(h[4:])
}

func TestForeignHashesVerify(t *testing.T) {
	const pw = "correct horse"
	for name, h := range map[string]string{
		"argon2id m=64MiB t=3 p=4":     argon2idPHC(pw, 64*1024, 3, 4, "another-tools-salt", 32),
		"argon2id m=19MiB t=2 p=1 16B": argon2idPHC(pw, MinMemoryKiB, 2, 1, "sixteen-byte-slt", 16),
		"argon2id at the maximums":     argon2idPHC(pw, MaxMemoryKiB, 1, MaxThreads, "salt-salt", 64),
		"bcrypt $2a$":                  bcryptHash(t, pw, 10, "$2a$"),
		"bcrypt $2b$":                  bcryptHash(t, pw, 10, "$2b$"),
		"bcrypt $2y$":                  bcryptHash(t, pw, 11, "$2y$"),
	} {
		if !IsHash(h) {
			t.Errorf("%s: IsHash = false", name)
		}
		if ok, err := Verify(pw, h); err != nil || !ok {
			t.Errorf("%s: Verify(right password) = %v, %v; want true", name, ok, err)
		}
		if ok, err := Verify(pw+"!", h); err != nil || ok {
			t.Errorf("%s: Verify(wrong password) = %v, %v; want false", name, ok, err)
		}
	}
}

// PHP's documentation of password_verify: a $2y$ hash made by another implementation.
func TestPHPBcryptVector(t *testing.T) {
	const h = "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a"
	if err := Check(h); err != nil {
		t.Fatalf("Check: %v", err)
	}
	if ok, err := Verify("rasmuslerdorf", h); err != nil || !ok {
		t.Fatalf("Verify = %v, %v; want true", ok, err)
	}
}

func TestBcryptLongPassword(t *testing.T) {
	long := strings.Repeat("a", 72)
	h := bcryptHash(t, long, 10, "$2y$")
	if ok, _ := Verify(long, h); !ok {
		t.Fatal("72 bytes must verify")
	}
	if ok, _ := Verify(long+"tail", h); ok {
		t.Fatal("bcrypt ignores bytes after 72: a longer password must not match")
	}
}

func TestCheck(t *testing.T) {
	good := []string{
		argon2idPHC("x", 64*1024, 3, 4, "another-tools-salt", 32),
		argon2idPHC("x", MinMemoryKiB, MinIterations, MinThreads, "saltsalt", 16),
		bcryptHash(t, "x", 10, "$2y$"),
		"$2b$14$" + strings.Repeat("a", 53), // cost 14, not verified here
	}
	if h, err := Hash("x"); err == nil {
		good = append(good, h)
	}
	for _, h := range good {
		if err := Check(h); err != nil {
			t.Errorf("Check(%.30s…) = %v, want nil", h, err)
		}
	}

	salt, key := b64.EncodeToString([]byte("saltsaltsalt")), b64.EncodeToString(make([]byte, 32))
	phc := func(params string) string { return "$argon2id$v=19$" + params + "$" + salt + "$" + key }
	for _, c := range []struct {
		hash string
		want error
		says string
	}{
		{"", ErrMalformedHash, "neither"},
		{"hunter2", ErrMalformedHash, "neither"},
		{"$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key, ErrMalformedHash, "argon2i"},
		{"$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key, ErrMalformedHash, "v=19"},
		{"$argon2id$m=19456,t=2,p=1$" + salt + "$" + key, ErrMalformedHash, "5 fields"},
		{phc("m=19456,t=2"), ErrMalformedHash, "m=…,t=…,p=…"},
		{phc("m=19456,t=2,p=1,keyid=x"), ErrMalformedHash, "m=…,t=…,p=…"},
		{phc("t=2,m=19456,p=1"), ErrMalformedHash, "m=<decimal"},
		{phc("m=19456,t=2,p=-1"), ErrMalformedHash, "p=<decimal"},
		{phc("m=19456,t=2,p=1x"), ErrMalformedHash, "p=<decimal"},
		{phc("m=19456,t=0,p=1"), ErrMalformedHash, "t ≥ 1"},
		{"$argon2id$v=19$m=19456,t=2,p=1$!!$" + key, ErrMalformedHash, "salt"},
		{"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$" + key, ErrMalformedHash, "salt"},
		{"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$a2V5", ErrMalformedHash, "hash must be"},
		{"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "==", ErrMalformedHash, "hash must be"},
		{phc("m=1024,t=2,p=1"), ErrWeakHash, "m=1024 KiB is below the minimum 19456"},
		{phc("m=19455,t=2,p=1"), ErrWeakHash, "below the minimum 19456"},
		{phc("m=19456,t=1,p=1"), ErrWeakHash, "t=1"},
		{phc("m=4194304,t=2,p=1"), ErrCostlyHash, "m=4194304 KiB is above the maximum 262144 KiB (256 MiB)"},
		{phc("m=19456,t=11,p=1"), ErrCostlyHash, "t=11"},
		{phc("m=19456,t=2,p=17"), ErrCostlyHash, "p=17"},
		{phc("m=19456,t=2,p=4294967296"), ErrMalformedHash, "p=<decimal"},
		{"$2y$09$" + strings.Repeat("a", 53), ErrWeakHash, "cost 9 is below the minimum 10"},
		{"$2y$04$" + strings.Repeat("a", 53), ErrWeakHash, "cost 4"},
		{"$2y$15$" + strings.Repeat("a", 53), ErrCostlyHash, "cost 15 is above the maximum 14"},
		{"$2y$31$" + strings.Repeat("a", 53), ErrCostlyHash, "cost 31"},
		{"$2x$10$" + strings.Repeat("a", 53), ErrMalformedHash, "$2a$, $2b$ and $2y$"},
		{"$2$10$" + strings.Repeat("a", 54), ErrMalformedHash, "$2a$, $2b$ and $2y$"},
		{"$2y$10$" + strings.Repeat("a", 52), ErrMalformedHash, "60 characters"},
		{"$2y$10$" + strings.Repeat("a", 54), ErrMalformedHash, "60 characters"},
		{"$2y$1x$" + strings.Repeat("a", 53), ErrMalformedHash, "two digits"},
		{"$2y$-1$" + strings.Repeat("a", 53), ErrMalformedHash, "two digits"},
		{"$2y$10$" + strings.Repeat("a", 52) + "!", ErrMalformedHash, "alphabet"},
		{"$2y$10$looks-like-a-hash-but-is-a-pass-phrase-of-sixty-char", ErrMalformedHash, ""},
	} {
		err := Check(c.hash)
		if !errors.Is(err, c.want) || !strings.Contains(fmt.Sprint(err), c.says) {
			t.Errorf("Check(%q) = %v; want %v saying %q", c.hash, err, c.want, c.says)
			continue
		}
		if len(c.hash) > 8 && strings.Contains(err.Error(), c.hash[len(c.hash)-8:]) {
			t.Errorf("Check(%q): the error %q quotes the hash", c.hash, err)
		}
		if errors.Is(err, ErrMalformedHash) == IsHash(c.hash) {
			t.Errorf("IsHash(%q) = %v, but Check says %v", c.hash, IsHash(c.hash), err)
		}
	}
}

// Verify refuses what is too costly even in a hash Secret written behind the controller's
// back, but accepts a weak hash: the minimums are a policy for what is stored, not a reason to
// lock out an existing Account.
func TestVerifyBounds(t *testing.T) {
	if ok, err := Verify("x", argon2idPHC("x", 1024, 1, 1, "saltsalt", 16)); err != nil || !ok {
		t.Errorf("weak argon2id: %v, %v", ok, err)
	}
	if ok, err := Verify("x", bcryptHash(t, "x", 4, "$2y$")); err != nil || !ok {
		t.Errorf("weak bcrypt: %v, %v", ok, err)
	}
	salt, key := b64.EncodeToString([]byte("saltsalt")), b64.EncodeToString(make([]byte, 32))
	for _, h := range []string{
		"$argon2id$v=19$m=4194304,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=1000,p=1$" + salt + "$" + key,
		"$2y$20$" + strings.Repeat("a", 53),
	} {
		if ok, err := Verify("x", h); !errors.Is(err, ErrCostlyHash) || ok {
			t.Errorf("Verify(_, %.30s…) = %v, %v; want ErrCostlyHash", h, ok, err)
		}
	}
}

// BenchmarkVerifyBcrypt measures one sign-in against a bcrypt hash of cost 10 (Argo CD's).
func BenchmarkVerifyBcrypt(b *testing.B) {
	h, _ := bcrypt.GenerateFromPassword([]byte("correct horse battery staple"), 10)
	for b.Loop() {
		if ok, _ := Verify("correct horse battery staple", string(h)); !ok {
			b.Fatal("no match")
		}
	}
}
