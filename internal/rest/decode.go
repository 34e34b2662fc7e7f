package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// ErrNotJSON reports a request body whose Content-Type is not application/json.
var ErrNotJSON = errors.New("the request body must be application/json")

// ErrEmptyBody reports a request without a body where one is required.
var ErrEmptyBody = errors.New("the request has no body")

// ErrBadText is wrapped by the *DecodeError of a body holding text encoding/json would silently
// replace with U+FFFD (and Tessera then store): bytes that are not UTF-8, or a \u escape of an
// unpaired UTF-16 surrogate. Every API answers it with its 400.
var ErrBadText = errors.New("the text is not valid UTF-8")

// ErrUnknownField is wrapped by the *DecodeError of a body naming a field the target does not
// declare (additionalProperties: false); its message is the one Luna's documents quote.
var ErrUnknownField = errors.New("extra fields not permitted")

// DecodeError says where a JSON body failed: Path is the field ("" for the document itself).
type DecodeError struct {
	Path    string
	Message string
	// Err is ErrBadText for refused text, ErrUnknownField for an undeclared field, nil otherwise.
	Err error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("Failed to validate input json. Path: '%s', message: '%s'", e.Path, e.Message)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// DecodeJSON decodes the request body strictly into dst: Content-Type application/json, one
// JSON value, no unknown fields, and no text that is not UTF-8. Errors are ErrNotJSON,
// ErrEmptyBody or *DecodeError.
func DecodeJSON(r *http.Request, dst any) error {
	return DecodeJSONFast(r, dst, nil)
}

// DecodeJSONFast is DecodeJSON with a shortcut for a handler's most frequent body: fast, when
// not nil, sees the body once it is read and reports whether it decoded it into dst itself. It
// must accept only bodies that DecodeJSON decodes without error and to the same dst, and leave
// every other body, and dst, untouched; those are decoded as DecodeJSON decodes them. The
// shortcut spares the hot path encoding/json's two passes over the body and its buffer.
func DecodeJSONFast(r *http.Request, dst any, fast func(raw []byte) bool) error {
	if !isJSON(r.Header.Get("Content-Type")) {
		return ErrNotJSON
	}
	buf := bodyBuffers.Get().(*bytes.Buffer)
	defer recycleBody(buf)
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return &DecodeError{Message: "the body could not be read: " + err.Error()}
	}
	raw := buf.Bytes()
	if len(bytes.TrimSpace(raw)) == 0 {
		return ErrEmptyBody
	}
	if fast != nil && fast(raw) {
		return nil
	}
	if off, msg := badText(raw); off >= 0 {
		return &DecodeError{Path: pathAt(raw, off), Message: msg, Err: ErrBadText}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return &DecodeError{Message: "only one JSON value is allowed"}
	}
	return nil
}

// isJSON reports whether a Content-Type is application/json. The bare type, which clients send
// on nearly every request, is recognised without mime.ParseMediaType's allocations.
func isJSON(contentType string) bool {
	if strings.EqualFold(contentType, "application/json") {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

// bodyBuffers recycles the buffers request bodies are read into: a body is garbage once decoded
// (encoding/json copies what it keeps), and reading it was the largest allocation on the
// verifier's path.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBody bounds the buffers kept for reuse, so that one large body (up to MaxBodyBytes)
// does not stay in the pool at its size.
const maxPooledBody = 64 << 10

func recycleBody(buf *bytes.Buffer) {
	if buf.Cap() > maxPooledBody {
		return
	}
	buf.Reset()
	bodyBuffers.Put(buf)
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		return &DecodeError{Path: typeErr.Field, Message: "unexpected value"}
	case errors.As(err, &syntaxErr):
		return &DecodeError{Message: "malformed JSON at offset " + fmt.Sprint(syntaxErr.Offset)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &DecodeError{Path: field, Message: ErrUnknownField.Error(), Err: ErrUnknownField}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &DecodeError{Message: "unexpected end of JSON"}
	}
	return &DecodeError{Message: err.Error()}
}

const (
	msgNotUTF8   = "string is not valid UTF-8"
	msgSurrogate = "string holds an unpaired UTF-16 surrogate escape"
)

// badText returns the offset of the first byte encoding/json would replace with U+FFFD — an
// invalid UTF-8 sequence or a \u escape of an unpaired surrogate — and why; -1 when none. An
// escaped U+FFFD (\ufffd) is a real character and passes.
func badText(raw []byte) (int, string) {
	if utf8.Valid(raw) && !bytes.Contains(raw, []byte(`\u`)) {
		return -1, "" // the common case: one fast pass
	}
	inString := false
	for i := 0; i < len(raw); {
		c := raw[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && size == 1 {
				return i, msgNotUTF8
			}
			i += size
			continue
		}
		switch {
		case c == '"':
			inString = !inString
			i++
		case c == '\\' && inString && i+1 < len(raw) && raw[i+1] == 'u':
			r, ok := hex4(raw[i+2:])
			switch {
			case !ok:
				i += 2 // malformed: the decoder reports it
			case r >= 0xd800 && r < 0xdc00: // high surrogate: a low one must follow
				if len(raw) >= i+12 && raw[i+6] == '\\' && raw[i+7] == 'u' {
					if lo, ok := hex4(raw[i+8:]); ok && lo >= 0xdc00 && lo < 0xe000 {
						i += 12
						continue
					}
				}
				return i, msgSurrogate
			case r >= 0xdc00 && r < 0xe000:
				return i, msgSurrogate
			default:
				i += 6
			}
		case c == '\\' && inString:
			i += 2 // \" and \\ must not end or start a string
		default:
			i++
		}
	}
	return -1, ""
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[:4]), 16, 16)
	return rune(n), err == nil
}

// pathAt names the field whose value holds byte off of raw, as dotted keys and array indexes
// ("permissions.custom.0"); "" for the document itself or a bad key at the top. It walks the
// tokens, so it runs only once a body is already refused.
func pathAt(raw []byte, off int) string {
	type frame struct {
		object, wantKey bool
		key             string
		index           int
	}
	var stack []frame
	path := func() string {
		parts := make([]string, len(stack))
		for i, f := range stack {
			if f.object {
				parts[i] = f.key
			} else {
				parts[i] = strconv.Itoa(f.index)
			}
		}
		return strings.Join(parts, ".")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.Token()
		if err != nil {
			return path()
		}
		past := dec.InputOffset() > int64(off)
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].wantKey = true
			}
			continue
		}
		if n := len(stack); n > 0 {
			top := &stack[n-1]
			switch {
			case top.object && top.wantKey: // tok is a key
				if past {
					stack = stack[:n-1]
					return path()
				}
				top.key, top.wantKey = tok.(string), false
				continue
			case top.object:
				top.wantKey = true // a scalar value ends here; a container resets it on close
			default:
				top.index++
			}
		}
		if past {
			return path()
		}
		if d, ok := tok.(json.Delim); ok {
			stack = append(stack, frame{object: d == '{', wantKey: true, index: -1})
		}
	}
}
