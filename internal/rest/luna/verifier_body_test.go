package luna

import (
	"bytes"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/tessera-dev/tessera/internal/rest"
)

// strictVerifierBody decodes raw the slow way, as rest.DecodeJSON does without a shortcut.
func strictVerifierBody(raw []byte) (verifierBody, error) {
	r := httptest.NewRequest("POST", "/1/verifier", bytes.NewReader(raw))
	r.Header.Set("Content-Type", "application/json")
	var b verifierBody
	return b, rest.DecodeJSON(r, &b)
}

var tokenOnlySeeds = []string{
	`{"token":"eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ4In0.c2ln"}`,
	" \r\n\t{ \"token\" :\t\"a.b.c\" }\n",
	`{"token":""}`,
	`{"token":"a b"}`,
	// Each of these must be left to encoding/json, which refuses or decodes them differently.
	`{"token":"a	b"}`, // a raw tab inside the string is not JSON
	`{"token":"a\"b"}`, `{"token":"a\u0041"}`, `{"token":"é"}`, `{"TOKEN":"x"}`, `{"Token":"x"}`,
	`{"token":"x","token":"y"}`, `{"token":"x"}{}`, `{"token":"x"} x`, `{"token":"x"`, `{"token":"x}`,
	`{"token":1}`, `{"token":null}`, `{"login":"a@b.cd","password":"pw1"}`, `{"token" "x"}`,
}

func TestTokenOnlyTakesOnlyThePlainTokenBody(t *testing.T) {
	accepted := map[string]string{
		`{"token":"eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ4In0.c2ln"}`: "eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ4In0.c2ln",
		" \r\n\t{ \"token\" :\t\"a.b.c\" }\n":                   "a.b.c",
		`{"token":""}`:                                          "",
		`{"token":"a b"}`:                                       "a b",
	}
	for _, raw := range tokenOnlySeeds {
		var b verifierBody
		ok := tokenOnly(&b)([]byte(raw))
		want, shouldTake := accepted[raw]
		if ok != shouldTake {
			t.Errorf("tokenOnly(%q) = %v, want %v", raw, ok, shouldTake)
			continue
		}
		if !ok {
			if !reflect.DeepEqual(b, verifierBody{}) {
				t.Errorf("tokenOnly(%q) declined but changed the body: %+v", raw, b)
			}
			continue
		}
		if b.Token == nil || *b.Token != want || b.Login != nil || b.Password != nil || b.AccountID != nil {
			t.Errorf("tokenOnly(%q) decoded %+v, want only token %q", raw, b, want)
		}
	}
}

// FuzzTokenOnly: every body the shortcut takes, encoding/json decodes without error to the same.
func FuzzTokenOnly(f *testing.F) {
	for _, s := range tokenOnlySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var fast verifierBody
		if !tokenOnly(&fast)(raw) {
			return
		}
		slow, err := strictVerifierBody(raw)
		if err != nil {
			t.Fatalf("the shortcut took %q, which encoding/json refuses: %v", raw, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: the shortcut decoded %+v, encoding/json %+v", raw, fast, slow)
		}
	})
}
