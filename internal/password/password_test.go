package password

import (
	"strings"
	"testing"
)

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not carry OWASP argon2id parameters", h)
	}
	if strings.Contains(h, "correct horse") {
		t.Fatal("hash contains the plaintext")
	}
	if ok, err := Verify("correct horse", h); err != nil || !ok {
		t.Fatalf("Verify(right password) = %v, %v; want true", ok, err)
	}
	if ok, err := Verify("correct horsf", h); err != nil || ok {
		t.Fatalf("Verify(wrong password) = %v, %v; want false", ok, err)
	}
	h2, _ := Hash("correct horse")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt is not random")
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, bad := range []string{
		"", "plaintext", "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=18$m=19456,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5a2V5a2V5a2V5a2V5a2V5",
	} {
		if ok, err := Verify("x", bad); err == nil || ok {
			t.Errorf("Verify(_, %q) = %v, %v; want an error", bad, ok, err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	h, _ := Hash("seed")
	f.Add("seed", h)
	f.Add("x", "$argon2id$v=19$m=1,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, pw, encoded string) {
		ok, err := Verify(pw, encoded)
		if err != nil && ok {
			t.Fatal("an error must never come with a match")
		}
	})
}

// BenchmarkHash measures one argon2id hash with OWASP parameters: the cost of a password change.
func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify measures one sign-in's password check; login concurrency is bounded by it.
func BenchmarkVerify(b *testing.B) {
	h, _ := Hash("correct horse battery staple")
	for b.Loop() {
		if ok, _ := Verify("correct horse battery staple", h); !ok {
			b.Fatal("no match")
		}
	}
}
