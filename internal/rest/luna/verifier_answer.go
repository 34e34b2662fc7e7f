package luna

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"k8s.io/apimachinery/pkg/types"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// The verifier is the API's hot path (other services call it on every request they serve), and
// encoding/json's map encoder allocates for every key and value: about 45 objects for one
// answer, whose garbage kept the collector busy under load. Its answer is written here instead,
// by hand into a pooled buffer, byte for byte what encoding/json wrote (keys sorted,
// HTML-escaped strings), and handed to writeJSON as it is; values of types permissionsJSON does
// not produce go to encoding/json.

var answerBuffers = sync.Pool{New: func() any { return new([]byte) }}

// writeVerifierAnswer writes the 200 answer: account_id, account_type and, for a token, its
// permissions (rendered JSON, nil for none).
func writeVerifierAnswer(w http.ResponseWriter, accountID, accountType string, permissions []byte) {
	bp := answerBuffers.Get().(*[]byte)
	b := append((*bp)[:0], `{"`+fieldAccountID+`":`...)
	b = appendJSONString(b, accountID)
	b = append(b, `,"`+fieldAccountType+`":`...)
	b = appendJSONString(b, accountType)
	if permissions != nil {
		b = append(b, `,"`+fieldPermissions+`":`...)
		b = append(b, permissions...)
	}
	b = append(b, '}')
	// A RawMessage is copied as it is (compacted, which it already is): no map encoder.
	writeJSON(w, http.StatusOK, json.RawMessage(b))
	*bp = b
	answerBuffers.Put(bp)
}

// renderedPermissions remembers the permissions JSON of recent Tokens, which permissionsJSON
// builds from a dozen maps and slices: it depends only on the Token's version and the targets,
// so an entry never goes stale (a changed Token has a new resourceVersion), and the table,
// bounded, starts afresh when full. The Tokens come from the cache, which its informers share
// across every API value, so one table serves them all.
var renderedPermissions = permissionsMemo{max: 4096}

type permissionsMemo struct {
	max int
	mu  sync.RWMutex
	m   map[permissionsKey][]byte
}

type permissionsKey struct {
	uid              types.UID
	version, targets string
}

// of returns tok's permissions for targets as JSON; callers must not modify it.
func (pm *permissionsMemo) of(tok *tenancyv1alpha1.Token, targets string) []byte {
	key := permissionsKey{tok.UID, tok.ResourceVersion, targets}
	cacheable := key.uid != "" && key.version != ""
	if cacheable {
		pm.mu.RLock()
		out, ok := pm.m[key]
		pm.mu.RUnlock()
		if ok {
			return out
		}
	}
	out := appendJSONValue(nil, permissionsJSON(&tok.Spec.Permissions, targets))
	if cacheable {
		pm.mu.Lock()
		if len(pm.m) >= pm.max || pm.m == nil {
			pm.m = make(map[permissionsKey][]byte, pm.max)
		}
		pm.m[key] = out
		pm.mu.Unlock()
	}
	return out
}

func appendJSONValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, v)
	case int:
		return strconv.AppendInt(b, int64(v), 10)
	case []string:
		if v == nil {
			return append(b, "null"...)
		}
		b = append(b, '[')
		for i, s := range v {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s)
		}
		return append(b, ']')
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONValue(b, v[k])
		}
		return append(b, '}')
	}
	out, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, out...)
}

// appendJSONString quotes s as encoding/json does; strings that need escaping (rare here: ids,
// verbs, permission names) go through it.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			out, _ := json.Marshal(s)
			return append(b, out...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
