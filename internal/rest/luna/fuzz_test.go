package luna

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/tessera-dev/tessera/internal/rest"
)

func FuzzAccountBody(f *testing.F) {
	for _, s := range []string{`{}`, `{"login":"a@b.cd","password":"pw1","account_type":"user"}`, `{"extra_field":1}`,
		`{"login":5}`, `[]`, `null`, `{"description":"` + string(bytes.Repeat([]byte("x"), 200)) + `"}`} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, raw []byte, create bool) {
		r := httptest.NewRequest("POST", "/1/accounts", bytes.NewReader(raw))
		r.Header.Set("Content-Type", "application/json")
		var b accountBody
		if err := rest.DecodeJSON(r, &b); err != nil {
			if e := decodeErr(r, err); e.Status != 400 && e.Status != 415 {
				t.Fatalf("decode error status %d", e.Status)
			}
			return
		}
		if e := b.validate(create); e != nil {
			if e.Body.Code != CodeBadJSON {
				t.Fatalf("validation code %d", e.Body.Code)
			}
			return
		}
		if create && (b.Login == nil || !loginPattern.MatchString(*b.Login) || b.Password == nil || b.AccountType == nil) {
			t.Fatalf("accepted an incomplete account %s", raw)
		}
	})
}

func FuzzTokenBody(f *testing.F) {
	for _, s := range []string{`{"permissions":{},"expiration_time":null}`, `{"permissions":{"my_perm":["view"]},"expiration_time":"2999-01-01T00:00:00Z"}`,
		`{"permissions":{"emit_events":{"allowed":0,"white_list":["8950722f-3fd4-4223-b48f-03f95f0e8dfb"]}},"expiration_time":null}`,
		`{"permissions":{"AB":["view"]},"expiration_time":null}`, `{"permissions":[],"expiration_time":1}`} {
		f.Add([]byte(s), false)
	}
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, raw []byte, grantAll bool) {
		r := httptest.NewRequest("POST", "/1/tokens", bytes.NewReader(raw))
		r.Header.Set("Content-Type", "application/json")
		var b tokenBody
		if err := rest.DecodeJSON(r, &b); err != nil {
			return
		}
		spec, e := b.validate(grantAll, now)
		if e != nil {
			if e.Status != 400 {
				t.Fatalf("status %d", e.Status)
			}
			return
		}
		for name, verbs := range spec.Permissions.Custom {
			if !customPattern.MatchString(name) || isStandard(name) {
				t.Fatalf("accepted custom permission %q", name)
			}
			for _, v := range verbs {
				if v != "creation" && v != "view" && v != "modification" && v != "deletion" {
					t.Fatalf("accepted verb %q", v)
				}
			}
		}
		if spec.ExpirationTime != nil && !spec.ExpirationTime.After(now) {
			t.Fatalf("accepted a past expiration")
		}
		// What was accepted renders back as JSON.
		if _, err := json.Marshal(permissionsJSON(&spec.Permissions, "all")); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzVerifierBody(f *testing.F) {
	for _, s := range []string{`{"login":"a@b.cd","password":"pw1"}`, `{"token":"x.y.z"}`, `{"account_id":"8950722f-3fd4-4223-b48f-03f95f0e8dfb"}`,
		`{"login":"a@b.cd","token":"x"}`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r := httptest.NewRequest("POST", "/1/verifier", bytes.NewReader(raw))
		r.Header.Set("Content-Type", "application/json")
		var b verifierBody
		if rest.DecodeJSON(r, &b) != nil {
			return
		}
		mode, e := b.validate()
		if e == nil && (mode < verifyLogin || mode > verifyAccountID) {
			t.Fatalf("mode %d", mode)
		}
		if e == nil && mode == verifyAccountID && !uuidPattern.MatchString(*b.AccountID) {
			t.Fatalf("accepted account_id %q", *b.AccountID)
		}
	})
}

func FuzzQuery(f *testing.F) {
	for _, s := range []string{"page=1&page_size=10", "page=0", "create_time__lt=2018-08-11T09:11:41.674Z", "targets=login,account_id", "page_size=101"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		pq, e := parsePageQuery(q)
		if e == nil {
			if pq.Page < 1 || pq.PageSize < 1 || pq.PageSize > 100 {
				t.Fatalf("accepted %+v", pq)
			}
			s, end := pq.window(50)
			if s < 0 || end > 50 || s > end {
				t.Fatalf("window %d %d", s, end)
			}
		} else if e.Body.Code != CodeBadQuery {
			t.Fatalf("code %d", e.Body.Code)
		}
		if targets, e := parseTargets(q); e == nil {
			for _, tg := range targets {
				if _, ok := accountJSON(nil2(), nil)[tg]; !ok {
					t.Fatalf("target %q", tg)
				}
			}
		}
	})
}
