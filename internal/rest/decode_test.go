package rest

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
)

type sample struct {
	Login string `json:"login"`
	Age   int    `json:"age"`
}

func decode(body, contentType string) (sample, error) {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	var s sample
	return s, DecodeJSON(r, &s)
}

func TestDecodeJSON(t *testing.T) {
	if s, err := decode(`{"login":"a@b.cd","age":3}`, "application/json; charset=utf-8"); err != nil || s.Login != "a@b.cd" {
		t.Fatalf("valid body: %+v, %v", s, err)
	}
	if _, err := decode(`{"login":"x"}`, "text/plain"); !errors.Is(err, ErrNotJSON) {
		t.Errorf("text/plain: %v, want ErrNotJSON", err)
	}
	if _, err := decode(` `, "application/json"); !errors.Is(err, ErrEmptyBody) {
		t.Errorf("empty: %v, want ErrEmptyBody", err)
	}
	cases := map[string]DecodeError{
		`{"login":"x","extra_field":1}`: {Path: "extra_field", Message: "extra fields not permitted"},
		`{"age":"old"}`:                 {Path: "age", Message: "unexpected value"},
		`{"login":`:                     {Message: "unexpected end of JSON"},
		`{"login":"x"} {}`:              {Message: "only one JSON value is allowed"},
	}
	for body, want := range cases {
		_, err := decode(body, "application/json")
		var de *DecodeError
		if !errors.As(err, &de) || de.Path != want.Path || de.Message != want.Message {
			t.Errorf("decode(%s) = %v, want %+v", body, err, want)
		}
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{`{"login":"a","age":1}`, `{`, `[]`, `null`, `{"login":1}`, `{"x":{}}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		_, err := decode(body, "application/json")
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) && !errors.Is(err, ErrEmptyBody) {
				t.Fatalf("decode error of an unexpected kind: %T %v", err, err)
			}
		}
	})
}
