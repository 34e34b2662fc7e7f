package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// ErrNotJSON reports a request body whose Content-Type is not application/json.
var ErrNotJSON = errors.New("the request body must be application/json")

// ErrEmptyBody reports a request without a body where one is required.
var ErrEmptyBody = errors.New("the request has no body")

// DecodeError says where a JSON body failed: Path is the field ("" for the document itself).
type DecodeError struct {
	Path    string
	Message string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("Failed to validate input json. Path: '%s', message: '%s'", e.Path, e.Message)
}

// DecodeJSON decodes the request body strictly into dst: Content-Type application/json, one
// JSON value, no unknown fields. Errors are ErrNotJSON, ErrEmptyBody or *DecodeError.
func DecodeJSON(r *http.Request, dst any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return ErrNotJSON
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return &DecodeError{Message: "the body could not be read: " + err.Error()}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return ErrEmptyBody
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
		return &DecodeError{Path: field, Message: "extra fields not permitted"}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &DecodeError{Message: "unexpected end of JSON"}
	}
	return &DecodeError{Message: err.Error()}
}
