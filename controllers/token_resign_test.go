package controllers

import (
	"errors"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/keys"
)

func TestResignReason(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	set, err := keys.Generate(keys.ES256, t0)
	if err != nil {
		t.Fatal(err)
	}
	old := set.Active().ID
	if set, err = set.Rotate(keys.ES256, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	want := jwt.Claims{TokenID: "t", AccountID: "a", VisibilityArea: "all", Issuer: "iss"}
	changed := want
	changed.VisibilityArea = "account"

	for _, tc := range []struct {
		name     string
		asked    string // the Token's reissue annotation
		recorded string // the Secret's record of the one acted upon
		empty    bool
		kid      string
		have     jwt.Claims
		readErr  error
		reason   string
	}{
		{name: "a JWT of a retired key is kept", kid: old, have: want},
		{name: "a JWT of the active key is kept", kid: set.Active().ID, have: want},
		{name: "a re-issue already acted upon is kept", asked: "1", recorded: "1", kid: old, have: want},
		{name: "a removed re-issue annotation asks for nothing", recorded: "1", kid: old, have: want},
		{name: "no JWT yet", empty: true, reason: tenancyv1alpha1.EventReasonIssued},
		{name: "a new re-issue value", asked: "2", recorded: "1", kid: old, have: want, reason: tenancyv1alpha1.EventReasonReissued},
		{name: "a revoked key", kid: "revoked-kid-0000", have: want, reason: tenancyv1alpha1.EventReasonRenewed},
		{name: "changed claims", kid: set.Active().ID, have: changed, reason: tenancyv1alpha1.EventReasonRenewed},
		{name: "an unreadable JWT", readErr: errors.New("garbage"), reason: tenancyv1alpha1.EventReasonRenewed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{}}}
			if tc.asked != "" {
				tok.Annotations[tenancyv1alpha1.AnnotationReissue] = tc.asked
			}
			secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{tenancyv1alpha1.AnnotationReissued: tc.recorded}},
				Data: map[string][]byte{tenancyv1alpha1.TokenSecretKey: []byte("a.b.c")}}
			if tc.empty {
				secret.Data = nil
			}
			if got, _ := resignReason(tok, secret, set, want, tc.kid, tc.have, tc.readErr); got != tc.reason {
				t.Fatalf("reason %q, want %q", got, tc.reason)
			}
		})
	}
}
