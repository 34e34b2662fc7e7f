package plugin

import (
	"context"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// aliceCIExpiry is when alice-ci expires.
var aliceCIExpiry = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// buildFixtures builds, under the bootstrap root:
//
//	root
//	└── northwind (distributor)     nora, nora-admin (read)
//	    ├── acme (company)          alice (password), bob; alice-ci, alice-eternal; alice-admin (full)
//	    │   └── acme-rnd (department)
//	    └── globex (company)        gina; gina-ci
//
// and waits until the operator has reconciled all of it.
func buildFixtures(ctx context.Context) {
	for _, g := range []struct {
		name, parent string
		kind         tenancyv1alpha1.GroupKind
	}{
		{"northwind", "root", tenancyv1alpha1.GroupKindDistributor},
		{"acme", "northwind", tenancyv1alpha1.GroupKindEndUserCompany},
		{"acme-rnd", "acme", tenancyv1alpha1.GroupKindCompanyDepartment},
		{"globex", "northwind", tenancyv1alpha1.GroupKindEndUserCompany},
	} {
		create(ctx, &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: g.name},
			Spec: tenancyv1alpha1.GroupSpec{Parent: g.parent, Kind: g.kind}})
		waitReady(ctx, &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: g.name}})
	}
	create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: "tessera-acme", Name: "alice-password"},
		StringData: map[string]string{"password": "Alice-Passw0rd-2026"}})
	alice := account("tessera-acme", "alice", "alice@acme.example")
	alice.Spec.PasswordSecretRef = &tenancyv1alpha1.PasswordSecretReference{Name: "alice-password"}
	create(ctx, alice)
	waitReady(ctx, alice)
	create(ctx, account("tessera-acme", "bob", "bob@acme.example"))
	create(ctx, account("tessera-northwind", "nora", "nora@northwind.example"))
	create(ctx, account("tessera-globex", "gina", "gina@globex.example"))

	expiry := metav1.NewTime(aliceCIExpiry)
	ci := token("tessera-acme", "alice-ci", "alice")
	ci.Spec.ExpirationTime = &expiry
	tokens := []*tenancyv1alpha1.Token{
		ci, token("tessera-acme", "alice-eternal", "alice"), token("tessera-globex", "gina-ci", "gina"),
	}
	for _, t := range tokens {
		create(ctx, t)
		waitReady(ctx, t)
	}
	for _, a := range []*tenancyv1alpha1.Admin{
		admin("tessera-acme", "alice-admin", "alice", tenancyv1alpha1.AccessFull),
		admin("tessera-northwind", "nora-admin", "nora", tenancyv1alpha1.AccessRead),
	} {
		create(ctx, a)
		Eventually(func() tenancyv1alpha1.PortalRole {
			Expect(k8s.Get(ctx, client.ObjectKeyFromObject(a), a)).To(Succeed())
			return a.Status.Role
		}, 30*time.Second, 100*time.Millisecond).ShouldNot(BeEmpty())
	}
}

func create(ctx context.Context, obj client.Object) {
	Expect(k8s.Create(ctx, obj)).To(Succeed(), "creating %s", obj.GetName())
}

func account(ns, name, login string) *tenancyv1alpha1.Account {
	return &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: tenancyv1alpha1.AccountSpec{Login: login, Type: tenancyv1alpha1.AccountTypeUser}}
}

func token(ns, name, acct string) *tenancyv1alpha1.Token {
	return &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: tenancyv1alpha1.TokenSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: acct}}}
}

func admin(ns, name, acct string, access tenancyv1alpha1.AccessType) *tenancyv1alpha1.Admin {
	return &tenancyv1alpha1.Admin{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: tenancyv1alpha1.AdminSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: acct}, AccessType: access}}
}

// waitReady waits until obj (a Group, Account or Token) reports Ready=True.
func waitReady(ctx context.Context, obj client.Object) {
	Eventually(func() bool {
		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)).To(Succeed())
		return apimeta.IsStatusConditionTrue(conditionsOf(obj), tenancyv1alpha1.ConditionReady)
	}, 30*time.Second, 100*time.Millisecond).Should(BeTrue(), "%s never became Ready", obj.GetName())
}

func conditionsOf(obj client.Object) []metav1.Condition {
	switch o := obj.(type) {
	case *tenancyv1alpha1.Group:
		return o.Status.Conditions
	case *tenancyv1alpha1.Account:
		return o.Status.Conditions
	case *tenancyv1alpha1.Token:
		return o.Status.Conditions
	}
	return nil
}
