package webhook

import (
	"context"
	"errors"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/claims"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/tree"
)

// fixture: root ← acme (locked) ← dept; root ← beta ← kid. bob@example.com is claimed by beta/bob.
func newCauseFixture(t *testing.T) (GroupValidator, GroupMember[*tenancyv1alpha1.Account]) {
	t.Helper()
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{clientgoscheme.AddToScheme, tenancyv1alpha1.AddToScheme} {
		if err := add(s); err != nil {
			t.Fatal(err)
		}
	}
	root := &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "root"}}
	bob := &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: "tessera-beta", Name: "bob"},
		Spec: tenancyv1alpha1.AccountSpec{Login: "bob@example.com"}}
	kid := group("kid", "beta", 50)
	c := fake.NewClientBuilder().WithScheme(s).WithObjects(root, kid, bob).
		WithIndex(&tenancyv1alpha1.Group{}, "spec.parent", func(o client.Object) []string {
			return []string{o.(*tenancyv1alpha1.Group).Spec.Parent}
		}).Build()
	f := &tree.Forest{}
	f.Set(tree.Node{Name: "root", DisplayName: "root", Kind: 0})
	f.Set(tree.Node{Name: "acme", Parent: "root", DisplayName: "Acme", Kind: 40, Locked: true, LockReason: "audit"})
	f.Set(tree.Node{Name: "dept", Parent: "acme", DisplayName: "dept", Kind: 50})
	f.Set(tree.Node{Name: "beta", Parent: "root", DisplayName: "Beta", Kind: 40})
	f.Set(tree.Node{Name: "kid", Parent: "beta", DisplayName: "kid", Kind: 50})
	cl := &claims.Claims{Client: c, Namespace: "tessera-system"}
	if err := cl.Claim(context.Background(), claims.Key{Field: claims.AccountLogin, Value: bob.Spec.Login},
		claims.Holder(bob)); err != nil {
		t.Fatal(err)
	}
	l := lineage{forest: f, cache: c, direct: c}
	return GroupValidator{lineage: l, Claims: cl},
		GroupMember[*tenancyv1alpha1.Account]{lineage: l, Claims: cl, Resource: tenancyv1alpha1.GroupVersion.WithResource("accounts").GroupResource()}
}

func group(name, parent string, kind int) *tenancyv1alpha1.Group {
	g := &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: name}}
	g.Spec.Parent, g.Spec.Kind = parent, tenancyv1alpha1.GroupKind(kind)
	return g
}

// TestRefusalsCarryCauses: every refusal names its reason as a cause of ours, beside
// Kubernetes' own where there is one, so that no client reads the message.
func TestRefusalsCarryCauses(t *testing.T) {
	gv, am := newCauseFixture(t)
	ctx := context.Background()
	acct := func(ns, login string) *tenancyv1alpha1.Account {
		return &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "x"},
			Spec: tenancyv1alpha1.AccountSpec{Login: login}}
	}
	named := group("acme2", "root", 40)
	named.Spec.DisplayName = "acme"
	cases := []struct {
		name   string
		err    func() error
		code   int32
		cause  metav1.CauseType
		field  string
		native metav1.CauseType
		kind   rest.Kind
	}{
		{"locked account", func() error { _, err := am.ValidateCreate(ctx, acct("tessera-dept", "a@example.com")); return err },
			403, tenancyv1alpha1.CauseLocked, "", "", rest.KindLocked},
		{"outside a Group", func() error { _, err := am.ValidateCreate(ctx, acct("default", "a@example.com")); return err },
			403, tenancyv1alpha1.CauseNotInGroup, "", "", rest.KindForbidden},
		{"login taken", func() error { _, err := am.ValidateCreate(ctx, acct("tessera-beta", "bob@example.com")); return err },
			409, tenancyv1alpha1.CauseDuplicate, "spec.login", metav1.CauseTypeFieldValueDuplicate, rest.KindConflict},
		{"locked parent", func() error { _, err := gv.ValidateCreate(ctx, group("g1", "dept", 50)); return err },
			403, tenancyv1alpha1.CauseLocked, "", "", rest.KindLocked},
		{"missing parent", func() error { _, err := gv.ValidateCreate(ctx, group("g2", "nowhere", 40)); return err },
			422, tenancyv1alpha1.CauseParentMissing, "spec.parent", metav1.CauseTypeFieldValueNotFound, rest.KindInvalid},
		{"second root", func() error { _, err := gv.ValidateCreate(ctx, group("g3", "", 0)); return err },
			422, tenancyv1alpha1.CauseTreeRule, "spec.parent", metav1.CauseTypeFieldValueRequired, rest.KindInvalid},
		{"kind rule", func() error { _, err := gv.ValidateCreate(ctx, group("g4", "beta", 10)); return err },
			422, tenancyv1alpha1.CauseTreeRule, "spec.kind", metav1.CauseTypeFieldValueNotSupported, rest.KindInvalid},
		{"sibling display name", func() error { _, err := gv.ValidateCreate(ctx, named); return err },
			422, tenancyv1alpha1.CauseDuplicate, "spec.displayName", metav1.CauseTypeFieldValueDuplicate, rest.KindConflict},
		{"delete with children", func() error { _, err := gv.ValidateDelete(ctx, group("beta", "root", 40)); return err },
			403, tenancyv1alpha1.CauseTreeRule, "", "", rest.KindForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			var st apierrors.APIStatus
			if !errors.As(err, &st) {
				t.Fatalf("want an API status, got %v", err)
			}
			s := st.Status()
			if s.Code != tc.code || s.Details == nil {
				t.Fatalf("code %d details %v, want %d: %v", s.Code, s.Details, tc.code, err)
			}
			var ours, native bool
			for _, c := range s.Details.Causes {
				ours = ours || c.Type == tc.cause && c.Field == tc.field && c.Message != ""
				native = native || c.Type == tc.native && c.Field == tc.field
			}
			if !ours || tc.native != "" && !native {
				t.Fatalf("causes %+v, want %s (and %s) on %q", s.Details.Causes, tc.cause, tc.native, tc.field)
			}
			// The REST APIs see the refusal as the API server hands it on.
			if p := rest.Classify(asAPIServer(s)); p.Kind != tc.kind || p.Reason != string(tc.cause) ||
				strings.Contains(p.Message, "denied") {
				t.Fatalf("classified as %+v, want %s", p, tc.kind)
			}
		})
	}
}

// asAPIServer is what the API server makes of a webhook's refusal (ToStatusErr in
// k8s.io/apiserver): the Status as it is, the message prefixed with the webhook's name.
func asAPIServer(s metav1.Status) error {
	s.Message = `admission webhook "vaccount.tessera.dev" denied the request: ` + s.Message
	return &apierrors.StatusError{ErrStatus: s}
}
