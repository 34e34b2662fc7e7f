package portal

import (
	"bytes"
	"fmt"
	"testing"

	"k8s.io/apimachinery/pkg/types"
)

// TestViewCacheKeepsWhileTheKeyHolds checks that a view is encoded once per key, again when
// its key changes, and that the cache never holds more than its bound.
func TestViewCacheKeepsWhileTheKeyHolds(t *testing.T) {
	var c viewCache[string]
	encodings := 0
	encode := func(s string) func() ([]byte, error) {
		return func() ([]byte, error) { encodings++; return []byte(s), nil }
	}
	for _, step := range []struct{ key, want string }{{"v1", "a"}, {"v1", "a"}, {"v2", "b"}, {"v2", "b"}} {
		got, _ := c.encoded("uid", step.key, encode(step.want))
		if string(got) != step.want {
			t.Fatalf("key %s: %q, want %q", step.key, got, step.want)
		}
	}
	if encodings != 2 {
		t.Errorf("%d encodings for two keys", encodings)
	}
	big := bytes.Repeat([]byte("x"), 1<<20)
	for i := range 200 {
		if _, err := c.encoded(types.UID(fmt.Sprint(i)), "v", func() ([]byte, error) { return big, nil }); err != nil {
			t.Fatal(err)
		}
		if c.bytes > maxCachedBytes {
			t.Fatalf("holds %d bytes, bound %d", c.bytes, maxCachedBytes)
		}
	}
}
