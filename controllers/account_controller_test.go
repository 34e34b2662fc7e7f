package controllers

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/events"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/password"
	"github.com/tessera-dev/tessera/internal/tree"
)

// builderIndexer registers the real field indexes with a fake client builder.
type builderIndexer struct{ b *fake.ClientBuilder }

func (bi builderIndexer) IndexField(_ context.Context, obj client.Object, field string, fn client.IndexerFunc) error {
	bi.b.WithIndex(obj, field, fn)
	return nil
}

const testNS = "tessera-acme"

func testScheme(t *testing.T) *runtime.Scheme {
	t.Helper()
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := tenancyv1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	return s
}

// fixture is a fake cluster with the Group acme (kind company) and its namespace.
func fixture(t *testing.T, objs ...client.Object) (client.Client, *tree.Forest) {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNS, Labels: map[string]string{
		tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue, tenancyv1alpha1.LabelGroup: "acme"}}}
	grp := &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "acme"},
		Spec: tenancyv1alpha1.GroupSpec{Kind: tenancyv1alpha1.GroupKindEndUserCompany}}
	b := fake.NewClientBuilder().WithScheme(testScheme(t)).
		WithObjects(append([]client.Object{ns, grp}, objs...)...).
		WithStatusSubresource(&tenancyv1alpha1.Account{}, &tenancyv1alpha1.Admin{})
	if err := index.Setup(context.Background(), builderIndexer{b}); err != nil {
		t.Fatal(err)
	}
	forest := &tree.Forest{}
	forest.Set(tree.Node{Name: "acme", Kind: int32(tenancyv1alpha1.GroupKindEndUserCompany)})
	return b.Build(), forest
}

func account(name string, ref *tenancyv1alpha1.PasswordSecretReference) *tenancyv1alpha1.Account {
	return &tenancyv1alpha1.Account{
		ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: name, UID: types.UID("uid-" + name), Generation: 1},
		Spec:       tenancyv1alpha1.AccountSpec{Login: name + "@example.com", PasswordSecretRef: ref},
	}
}

func reconcileAccount(t *testing.T, r *AccountReconciler, name string) ctrl.Result {
	t.Helper()
	res, err := r.Reconcile(context.Background(), ctrl.Request{NamespacedName: client.ObjectKey{Namespace: testNS, Name: name}})
	if err != nil {
		t.Fatalf("reconcile %s: %v", name, err)
	}
	return res
}

func getHash(t *testing.T, c client.Client, acct string) (*corev1.Secret, string) {
	t.Helper()
	s := &corev1.Secret{}
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: testNS, Name: credential.SecretName(acct)}, s); err != nil {
		t.Fatalf("hash Secret of %s: %v", acct, err)
	}
	return s, string(s.Data[credential.HashKey])
}

func mustVerify(t *testing.T, plaintext, hash string, want bool) {
	t.Helper()
	ok, err := password.Verify(plaintext, hash)
	if err != nil || ok != want {
		t.Fatalf("Verify(%q) = %v, %v; want %v", plaintext, ok, err, want)
	}
}

func TestAccountHashesOnlyWhenThePlaintextChanges(t *testing.T) {
	ctx := context.Background()
	src := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: "pw", UID: "src-uid"},
		Data: map[string][]byte{"password": []byte("first-Passw0rd")}}
	c, forest := fixture(t, account("alice", &tenancyv1alpha1.PasswordSecretReference{Name: "pw", Key: "password"}), src)
	rec := events.NewFakeRecorder(16)
	r := &AccountReconciler{Client: c, APIReader: c, Forest: forest, Recorder: rec}

	reconcileAccount(t, r, "alice")
	reconcileAccount(t, r, "alice")
	_, hash := getHash(t, c, "alice")
	mustVerify(t, "first-Passw0rd", hash, true)

	acct := &tenancyv1alpha1.Account{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: testNS, Name: "alice"}, acct); err != nil {
		t.Fatal(err)
	}
	if !meta.IsStatusConditionTrue(acct.Status.Conditions, tenancyv1alpha1.ConditionReady) || acct.Status.PasswordHashSecret != credential.SecretName("alice") {
		t.Fatalf("status = %+v", acct.Status)
	}
	if !controllerFinalizer(acct) {
		t.Fatal("no clean-up finalizer")
	}

	// Nothing changed: neither the hash nor the Account's status is written again.
	rv := acct.ResourceVersion
	hashSecret, _ := getHash(t, c, "alice")
	hashRV := hashSecret.ResourceVersion
	reconcileAccount(t, r, "alice")
	if err := c.Get(ctx, client.ObjectKeyFromObject(acct), acct); err != nil {
		t.Fatal(err)
	}
	hashSecret, again := getHash(t, c, "alice")
	if again != hash || hashSecret.ResourceVersion != hashRV || acct.ResourceVersion != rv {
		t.Fatal("an unchanged Account was written again")
	}

	// Only the Secret's metadata changed: the stored hash stays.
	_ = c.Get(ctx, client.ObjectKeyFromObject(src), src)
	src.Labels = map[string]string{"team": "a"}
	if err := c.Update(ctx, src); err != nil {
		t.Fatal(err)
	}
	reconcileAccount(t, r, "alice")
	if _, h := getHash(t, c, "alice"); h != hash {
		t.Fatal("a relabelled Secret changed the hash")
	}

	// A new password is hashed.
	_ = c.Get(ctx, client.ObjectKeyFromObject(src), src)
	src.Data["password"] = []byte("second-Passw0rd")
	if err := c.Update(ctx, src); err != nil {
		t.Fatal(err)
	}
	reconcileAccount(t, r, "alice")
	_, h := getHash(t, c, "alice")
	mustVerify(t, "second-Passw0rd", h, true)
	mustVerify(t, "first-Passw0rd", h, false)

	close(rec.Events)
	n := 0
	for e := range rec.Events {
		n++
		if strings.Contains(e, "Passw0rd") {
			t.Fatalf("event leaks the password: %s", e)
		}
	}
	if n != 2 {
		t.Fatalf("%d events, want 2 (stored, updated)", n)
	}
}

func controllerFinalizer(a *tenancyv1alpha1.Account) bool {
	for _, f := range a.Finalizers {
		if f == FinalizerCleanup {
			return true
		}
	}
	return false
}

func TestAccountReadyReasons(t *testing.T) {
	ctx := context.Background()
	elsewhere := account("stray", nil)
	elsewhere.Namespace = "default"
	c, forest := fixture(t,
		account("no-secret", &tenancyv1alpha1.PasswordSecretReference{Name: "nope"}),
		account("no-password", nil),
		elsewhere)
	r := &AccountReconciler{Client: c, APIReader: c, Forest: forest}
	for _, tc := range []struct{ ns, name, reason string }{
		{testNS, "no-secret", ReasonPasswordSecretMissing},
		{testNS, "no-password", ReasonNoPassword},
		{"default", "stray", ReasonGroupMissing},
	} {
		res, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKey{Namespace: tc.ns, Name: tc.name}})
		if err != nil {
			t.Fatal(err)
		}
		a := &tenancyv1alpha1.Account{}
		_ = c.Get(ctx, client.ObjectKey{Namespace: tc.ns, Name: tc.name}, a)
		cond := meta.FindStatusCondition(a.Status.Conditions, tenancyv1alpha1.ConditionReady)
		if cond == nil || cond.Status != metav1.ConditionFalse || cond.Reason != tc.reason {
			t.Errorf("%s: Ready = %+v, want False/%s", tc.name, cond, tc.reason)
		}
		if tc.reason != ReasonNoPassword && res.RequeueAfter == 0 {
			t.Errorf("%s: no requeue", tc.name)
		}
		err = c.Get(ctx, client.ObjectKey{Namespace: tc.ns, Name: credential.SecretName(tc.name)}, &corev1.Secret{})
		if !apierrors.IsNotFound(err) {
			t.Errorf("%s: a hash Secret was invented (%v)", tc.name, err)
		}
	}
}

func TestAccountFinalizerCleansUpAndCallsOnDeleted(t *testing.T) {
	ctx := context.Background()
	acct := account("bob", nil)
	acct.Finalizers = []string{FinalizerCleanup}
	now := metav1.Now()
	acct.DeletionTimestamp = &now
	hash := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: credential.SecretName("bob"),
		Labels: map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue}}}
	tok := func(name, account string) *tenancyv1alpha1.Token {
		return &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: name},
			Spec: tenancyv1alpha1.TokenSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: account}}}
	}
	adm := &tenancyv1alpha1.Admin{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: "bob-admin"},
		Spec: tenancyv1alpha1.AdminSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: "bob"}}}
	c, forest := fixture(t, acct, hash, tok("bob-1", "bob"), tok("carol-1", "carol"), adm)
	var hooked []string
	r := &AccountReconciler{Client: c, APIReader: c, Forest: forest,
		OnDeleted: func(_ context.Context, a *tenancyv1alpha1.Account) error {
			hooked = append(hooked, a.Name)
			return nil
		}}

	if res := reconcileAccount(t, r, "bob"); res.RequeueAfter == 0 {
		t.Fatal("the first pass must wait for the deletions")
	}
	if len(hooked) != 0 {
		t.Fatal("OnDeleted ran before the Tokens and Admins were gone")
	}
	reconcileAccount(t, r, "bob")
	if len(hooked) != 1 {
		t.Fatalf("OnDeleted ran %d times", len(hooked))
	}
	for _, obj := range []client.Object{acct, hash, tok("bob-1", ""), adm} {
		if err := c.Get(ctx, client.ObjectKeyFromObject(obj), obj); !apierrors.IsNotFound(err) {
			t.Errorf("%T %s still exists (%v)", obj, obj.GetName(), err)
		}
	}
	if err := c.Get(ctx, client.ObjectKey{Namespace: testNS, Name: "carol-1"}, &tenancyv1alpha1.Token{}); err != nil {
		t.Errorf("another Account's Token was touched: %v", err)
	}
}

func TestAccountCleanUpWaitsWhileLocked(t *testing.T) {
	acct := account("dan", nil)
	acct.Finalizers = []string{FinalizerCleanup}
	now := metav1.Now()
	acct.DeletionTimestamp = &now
	c, forest := fixture(t, acct)
	forest.Set(tree.Node{Name: "acme", Kind: int32(tenancyv1alpha1.GroupKindEndUserCompany), Locked: true})
	called := false
	r := &AccountReconciler{Client: c, APIReader: c, Forest: forest,
		OnDeleted: func(context.Context, *tenancyv1alpha1.Account) error { called = true; return nil }}
	reconcileAccount(t, r, "dan")
	if called || c.Get(context.Background(), client.ObjectKeyFromObject(acct), acct) != nil {
		t.Fatal("clean-up went ahead inside a locked Group")
	}
}

func TestAdminRole(t *testing.T) {
	for _, tc := range []struct {
		kind   tenancyv1alpha1.GroupKind
		access tenancyv1alpha1.AccessType
		want   tenancyv1alpha1.PortalRole
	}{
		{0, 15, tenancyv1alpha1.RoleRootAdmin},
		{0, 1, tenancyv1alpha1.RoleReadonlyAdmin},
		{10, 15, tenancyv1alpha1.RolePartnerAdmin},
		{20, 5, tenancyv1alpha1.RolePartnerAdmin},
		{21, 9, tenancyv1alpha1.RolePartnerAdmin},
		{30, 2, tenancyv1alpha1.RolePartnerAdmin},
		{31, 16, tenancyv1alpha1.RolePartnerAdmin},
		{40, 15, tenancyv1alpha1.RoleCompanyAdmin},
		{40, 1, tenancyv1alpha1.RoleReadonlyAdmin},
		{50, 3, tenancyv1alpha1.RoleUnitAdmin},
	} {
		if got, ok := AdminRole(tc.kind, tc.access); !ok || got != tc.want {
			t.Errorf("AdminRole(%d, %d) = %s, %v; want %s", tc.kind, tc.access, got, ok, tc.want)
		}
	}
	if _, ok := AdminRole(99, 15); ok {
		t.Error("an unknown kind got a role")
	}
}

func TestAdminReportsMissingAccount(t *testing.T) {
	ctx := context.Background()
	adm := &tenancyv1alpha1.Admin{ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: "ghost-admin", Generation: 1},
		Spec: tenancyv1alpha1.AdminSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: "ghost"}, AccessType: 15}}
	c, forest := fixture(t, adm)
	r := &AdminReconciler{Client: c, Forest: forest}
	res, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: client.ObjectKeyFromObject(adm)})
	if err != nil || res.RequeueAfter == 0 {
		t.Fatalf("reconcile = %v, %v; want a requeue", res, err)
	}
	_ = c.Get(ctx, client.ObjectKeyFromObject(adm), adm)
	cond := meta.FindStatusCondition(adm.Status.Conditions, tenancyv1alpha1.ConditionReady)
	if cond == nil || cond.Reason != ReasonAccountMissing || adm.Status.AccountID != "" {
		t.Fatalf("status = %+v", adm.Status)
	}
	if adm.Status.Role != tenancyv1alpha1.RoleCompanyAdmin || adm.Status.Group != "acme" {
		t.Fatalf("role %q group %q", adm.Status.Role, adm.Status.Group)
	}
}
