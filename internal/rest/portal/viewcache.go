package portal

import (
	"bytes"
	"net/http"
	"sync"

	"k8s.io/apimachinery/pkg/types"
)

// maxCachedBytes bounds each view cache: the JSON it holds, all entries together.
const maxCachedBytes = 32 << 20

// viewCache keeps encoded JSON (a list item such as a child group or a service user, or a
// whole list) by object UID, valid while its key is unchanged: the key holds the object's
// resourceVersion and everything else the JSON shows (the tree, counts, a namespace's stamp).
// A list of a thousand items then costs a copy of bytes instead of a thousand encodings. When
// full it forgets everything, so a client cycling objects costs encodings, never memory beyond
// the bound.
type viewCache[K comparable] struct {
	mu      sync.Mutex
	entries map[types.UID]cachedView[K]
	bytes   int
}

type cachedView[K comparable] struct {
	key K
	raw []byte
}

// encoded is the JSON of uid as of key: the cached bytes (never modify them), or encode()'s,
// kept.
func (c *viewCache[K]) encoded(uid types.UID, key K, encode func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	hit, ok := c.entries[uid]
	c.mu.Unlock()
	if ok && hit.key == key {
		return hit.raw, nil
	}
	raw, err := encode()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || c.bytes+len(raw) > maxCachedBytes {
		c.entries, c.bytes = map[types.UID]cachedView[K]{}, 0
	}
	c.bytes += len(raw) - len(c.entries[uid].raw)
	c.entries[uid] = cachedView[K]{key: key, raw: raw}
	return raw, nil
}

// itemsJSON is the seed's list answer, {"items": [...]}, of items already encoded.
func itemsJSON(items [][]byte) []byte {
	size := len(`{"items":[]}`+"\n") + len(items)
	for _, it := range items {
		size += len(it)
	}
	b := bytes.NewBuffer(make([]byte, 0, size))
	b.WriteString(`{"items":[`)
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(it)
	}
	b.WriteString("]}\n")
	return b.Bytes()
}

// writeRaw answers 200 with body, JSON already encoded.
func writeRaw(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
