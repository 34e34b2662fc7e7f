package jwt

import (
	"errors"
	"testing"
	"time"

	"github.com/tessera-dev/tessera/internal/keys"
)

func TestInspect(t *testing.T) {
	set := newSet(t, keys.EdDSA)
	exp := t0.Add(time.Hour)
	want := claims(&exp)
	kid, got, err := Inspect(sign(t, set, want))
	if err != nil {
		t.Fatal(err)
	}
	if kid != set.Active().ID || !got.IssuedAt.Equal(t0) || !SameAssertions(got, want) {
		t.Fatalf("Inspect = %s, %+v; want %s, %+v", kid, got, set.Active().ID, want)
	}
	// No signature check: a token of another set is read all the same.
	if _, _, err := Inspect(sign(t, newSet(t, keys.EdDSA), want)); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "garbage", "a.b.c"} {
		if _, _, err := Inspect(bad); !errors.Is(err, ErrMalformed) {
			t.Fatalf("Inspect(%q) = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestSameAssertions(t *testing.T) {
	exp := t0.Add(time.Hour)
	base := claims(&exp)
	later := exp.Add(time.Second)
	sameSecond := exp.Add(300 * time.Millisecond)
	for _, tc := range []struct {
		name   string
		change func(c *Claims)
		same   bool
	}{
		{"issue time only", func(c *Claims) { c.IssuedAt = t0.Add(time.Minute) }, true},
		{"expiry within the second", func(c *Claims) { c.ExpiresAt = &sameSecond }, true},
		{"token id", func(c *Claims) { c.TokenID = "other" }, false},
		{"account id", func(c *Claims) { c.AccountID = "other" }, false},
		{"visibility", func(c *Claims) { c.VisibilityArea = "all" }, false},
		{"issuer", func(c *Claims) { c.Issuer = "other" }, false},
		{"expiry", func(c *Claims) { c.ExpiresAt = &later }, false},
		{"eternal", func(c *Claims) { c.ExpiresAt = nil }, false},
	} {
		c := base
		tc.change(&c)
		if got := SameAssertions(base, c); got != tc.same {
			t.Errorf("%s: SameAssertions = %v, want %v", tc.name, got, tc.same)
		}
	}
}
