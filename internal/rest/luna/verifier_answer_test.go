package luna

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// The hand-written answer is the bytes encoding/json wrote for the same map, whatever the
// permissions hold: empty and nil lists, emit_events set or not, custom names, text to escape.
func TestVerifierAnswerIsWhatEncodingJSONWrote(t *testing.T) {
	zero, one := int32(0), int32(1)
	for name, p := range map[string]tenancyv1alpha1.TokenPermissions{
		"none":     {},
		"standard": {Token: []tenancyv1alpha1.CRUDVerb{"view", "creation"}, List: []tenancyv1alpha1.CRUDVerb{}},
		"events": {EmitEvents: &tenancyv1alpha1.EmitEvents{Allowed: &zero, WhiteList: []string{"a<b>", "&", `"q"`, `\\`, "é\u2028"},
			BlackList: []string{}}},
		"events allowed": {EmitEvents: &tenancyv1alpha1.EmitEvents{Allowed: &one}},
		"custom":         {Custom: map[string]tenancyv1alpha1.CustomPermission{"zeta": {"view"}, "alpha": {}, "mid_perm": {"deletion", "view"}}},
		"all":            allStandardPermissions(),
	} {
		for _, targets := range []string{targetsStandard, targetsCustom, targetsAll} {
			for _, acctType := range []string{"user", "<b>", "&", "tab\there"} {
				perms := permissionsJSON(&p, targets)
				want := httptest.NewRecorder()
				writeJSON(want, 200, map[string]any{fieldAccountType: acctType, fieldAccountID: "0b1e4d2c-8a7f-4e3b-9c6d-5f2a1e0b9d8c",
					fieldPermissions: perms})
				got := httptest.NewRecorder()
				writeVerifierAnswer(got, "0b1e4d2c-8a7f-4e3b-9c6d-5f2a1e0b9d8c", acctType, appendJSONValue(nil, perms))
				if !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) || got.Code != want.Code ||
					got.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
					t.Errorf("%s, %s:\n got %d %s\nwant %d %s", name, targets, got.Code, got.Body, want.Code, want.Body)
				}
			}
		}
	}
	// Without permissions (a password or an account id): the two fields alone.
	got := httptest.NewRecorder()
	writeVerifierAnswer(got, "id", "user", nil)
	var m map[string]any
	if err := json.Unmarshal(got.Body.Bytes(), &m); err != nil || len(m) != 2 || m[fieldAccountID] != "id" || m[fieldAccountType] != "user" {
		t.Fatalf("the answer without permissions: %s (%v)", got.Body, err)
	}
}

// A remembered rendering is the Token's version's: a new version renders again, and the table
// stays bounded.
func TestRenderedPermissionsFollowTheTokensVersion(t *testing.T) {
	memo := permissionsMemo{max: 2}
	tok := &tenancyv1alpha1.Token{}
	tok.UID, tok.ResourceVersion = "uid-1", "1"
	tok.Spec.Permissions.Token = []tenancyv1alpha1.CRUDVerb{"view"}
	render := func() map[string]any {
		var m map[string]any
		if err := json.Unmarshal(memo.of(tok, targetsStandard), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	if got := render()[permToken]; len(got.([]any)) != 1 {
		t.Fatalf("version 1: token %v", got)
	}
	tok.Spec.Permissions.Token, tok.ResourceVersion = nil, "2"
	if got := render()[permToken]; len(got.([]any)) != 0 {
		t.Fatalf("version 2 answered with version 1's permissions: token %v", got)
	}
	for i := range 5 {
		tok.ResourceVersion = string(rune('3' + i))
		render()
	}
	if len(memo.m) > memo.max {
		t.Fatalf("the table holds %d renderings, more than %d", len(memo.m), memo.max)
	}
}
