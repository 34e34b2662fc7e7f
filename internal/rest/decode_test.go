package rest

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
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
	if s, err := decode(`{"login":"a@b.cd"}`, "Application/JSON"); err != nil || s.Login != "a@b.cd" {
		t.Errorf("media types are case-insensitive: %+v, %v", s, err)
	}
	if _, err := decode(`{"login":"x"}`, "application/json; charset"); !errors.Is(err, ErrNotJSON) {
		t.Errorf("malformed parameters: %v, want ErrNotJSON", err)
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
		if unknown := want.Message == "extra fields not permitted"; errors.Is(err, ErrUnknownField) != unknown {
			t.Errorf("decode(%s): errors.Is(err, ErrUnknownField) = %v, want %v", body, !unknown, unknown)
		}
	}
}

// Bodies are read into recycled buffers: what one request sent must never show in the next.
func TestDecodeJSONRecyclesNothingVisible(t *testing.T) {
	long := `{"login":"` + strings.Repeat("l", 2*maxPooledBody) + `","age":7}`
	for _, body := range []string{`{"login":"first@a.bc","age":41}`, long, `{"age":2}`, `{}`} {
		want := sample{}
		if body != `{}` {
			if _, err := decode(body, "application/json"); err != nil {
				t.Fatal(err)
			}
		}
		got, err := decode(`{}`, "application/json")
		if err != nil || got != want {
			t.Fatalf("{} after %.20s… = %+v, %v; want the zero value", body, got, err)
		}
		if _, err := decode(`{"login":"x"}  `, "application/json"); err != nil {
			t.Fatalf("a shorter body after %.20s…: %v", body, err)
		}
	}
}

func decodeNested(body string) error {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	var dst struct {
		Login string            `json:"login"`
		Tags  []string          `json:"tags"`
		Meta  map[string]string `json:"meta"`
	}
	return DecodeJSON(r, &dst)
}

func TestDecodeJSONRefusesBadText(t *testing.T) {
	for body, path := range map[string]string{
		`{"login":"a` + "\xff" + `b"}`:                   "login",
		`{"login":"\udc00"}`:                             "login",
		`{"login":"x\ud800"}`:                            "login",
		`{"login":"\ud800\u0041"}`:                       "login",
		`{"login":"\"\udc00"}`:                           "login",
		`{"tags":["ok","` + "\xc3" + `"]}`:               "tags.1",
		`{"meta":{"k":"\udfff"}}`:                        "meta.k",
		`{"meta":{"k` + "\xff" + `":"v"}}`:               "meta",
		`{"tags":[],"meta":{},"login":"` + "\xff" + `"}`: "login",
	} {
		err := decodeNested(body)
		var de *DecodeError
		if !errors.Is(err, ErrBadText) || !errors.As(err, &de) || de.Path != path {
			t.Errorf("decode(%q) = %v, want ErrBadText at %q", body, err, path)
		}
	}
	// A surrogate pair, an escaped U+FFFD, an escaped backslash before "u", and UTF-8 are text.
	for _, body := range []string{`{"login":"\ud83d\ude00"}`, `{"login":"\ufffd"}`, `{"login":"\\udc00"}`,
		`{"login":"caf` + "\u00e9" + `"}`} {
		if err := decodeNested(body); err != nil {
			t.Errorf("decode(%q) = %v, want it accepted", body, err)
		}
	}
}

func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{`{"login":"a","age":1}`, `{`, `[]`, `null`, `{"login":1}`, `{"x":{}}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		s, err := decode(body, "application/json")
		if err == nil && strings.ContainsRune(s.Login, utf8.RuneError) &&
			!strings.ContainsRune(body, utf8.RuneError) && !strings.Contains(strings.ToLower(body), `\ufffd`) {
			t.Fatalf("accepted %q and decoded a replacement character", body)
		}
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) && !errors.Is(err, ErrEmptyBody) {
				t.Fatalf("decode error of an unexpected kind: %T %v", err, err)
			}
		}
	})
}
