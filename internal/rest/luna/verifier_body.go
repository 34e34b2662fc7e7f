package luna

import "bytes"

// tokenOnly is the shortcut (rest.DecodeJSONFast) for the verifier's most frequent body,
// {"token": "<JWT>"}: the key exactly "token" and a value of printable ASCII without quotes or
// backslashes, so that its bytes are the decoded string (a JWT is base64url and dots), with JSON
// whitespace anywhere between. Anything else — other keys, escapes, non-ASCII, a second value —
// is left to encoding/json, which decides as it always does.
func tokenOnly(b *verifierBody) func(raw []byte) bool {
	return func(raw []byte) bool {
		rest, ok := expect(raw, `{`)
		if ok {
			rest, ok = expect(rest, `"token"`)
		}
		if ok {
			rest, ok = expect(rest, `:`)
		}
		if ok {
			rest, ok = expect(rest, `"`)
		}
		if !ok {
			return false
		}
		end := 0
		for end < len(rest) && rest[end] >= 0x20 && rest[end] < 0x7f && rest[end] != '"' && rest[end] != '\\' {
			end++
		}
		// The string must end right there: a control character inside it is not JSON.
		if end == len(rest) || rest[end] != '"' {
			return false
		}
		value := rest[:end]
		if rest, ok = expect(rest[end+1:], `}`); !ok || len(bytes.TrimLeft(rest, jsonSpace)) != 0 {
			return false
		}
		token := string(value)
		b.Token = &token
		return true
	}
}

// jsonSpace is the whitespace JSON allows between tokens.
const jsonSpace = " \t\r\n"

// expect skips JSON whitespace and then lit, returning what follows.
func expect(raw []byte, lit string) ([]byte, bool) {
	raw = bytes.TrimLeft(raw, jsonSpace)
	if !bytes.HasPrefix(raw, []byte(lit)) {
		return raw, false
	}
	return raw[len(lit):], true
}
