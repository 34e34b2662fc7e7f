package people

import (
	"context"
	"errors"
	"fmt"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
)

var accounts = schema.GroupResource{Group: tenancyv1alpha1.GroupVersion.Group, Resource: "accounts"}

// duplicate is admission's refusal of a value another object holds in field.
func duplicate(field string) error {
	err := apierrors.NewConflict(accounts, "x", errors.New(field+": taken"))
	err.ErrStatus.Details.Causes = []metav1.StatusCause{{Type: metav1.CauseTypeFieldValueDuplicate, Field: field}}
	return err
}

func TestClassifyWrite(t *testing.T) {
	locked := apierrors.NewForbidden(accounts, "x", errors.New("Group acme is frozen: Group acme is locked; only an administrator at or above acme can unlock it"))
	locked.ErrStatus.Details.Causes = []metav1.StatusCause{{Type: tenancyv1alpha1.CauseLocked, Message: "Group acme is locked"}}
	for name, tc := range map[string]struct {
		err        error
		taken, lck bool
	}{
		"login duplicate":       {err: duplicate("spec.login"), taken: true},
		"name taken":            {err: apierrors.NewAlreadyExists(accounts, "x"), taken: true},
		"other duplicate":       {err: duplicate("spec.accountID")},
		"login in message only": {err: apierrors.NewConflict(accounts, "x", errors.New("spec.login is odd"))},
		"locked":                {err: fmt.Errorf("create: %w", locked), lck: true},
		"lock in message only":  {err: apierrors.NewForbidden(accounts, "x", errors.New("Group acme is frozen: Group acme is locked"))},
		"other forbidden":       {err: apierrors.NewForbidden(accounts, "x", errors.New("namespace n belongs to no Tessera Group (not locked)"))},
		"plain":                 {err: errors.New("spec.login locked")},
	} {
		got := ClassifyWrite(tc.err)
		if errors.Is(got, ErrLoginTaken) != tc.taken || errors.Is(got, ErrGroupLocked) != tc.lck {
			t.Errorf("%s: ClassifyWrite = %v; taken %v, locked %v wanted", name, got, tc.taken, tc.lck)
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("%s: ClassifyWrite lost the API server's error", name)
		}
	}
	if ClassifyWrite(nil) != nil {
		t.Error("ClassifyWrite(nil) != nil")
	}
}

func TestDNSName(t *testing.T) {
	a, b := PersonAccountName("Alice.Smith@example.com"), PersonAccountName("alice-smith@example.com")
	if a == b {
		t.Errorf("logins that sanitize alike share a name %q", a)
	}
	if long := DNSName("biz-", string(make([]byte, 200)), 55); len(long) > 55 {
		t.Errorf("DNSName longer than its bound: %q", long)
	}
	if got := DNSName("biz-", "Acme Inc.", 55); got[:13] != "biz-acme-inc-" {
		t.Errorf("DNSName = %q", got)
	}
}

func TestByIndex(t *testing.T) {
	now := metav1.Now()
	live := &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: "n", Name: "live"}, Spec: tenancyv1alpha1.AccountSpec{Login: "bob"}}
	going := &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: "n", Name: "going", DeletionTimestamp: &now,
		Finalizers: []string{"f"}}, Spec: tenancyv1alpha1.AccountSpec{Login: "carol"}}
	adm := &tenancyv1alpha1.Admin{ObjectMeta: metav1.ObjectMeta{Namespace: RootNamespace, Name: "root-admin"},
		Spec: tenancyv1alpha1.AdminSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: "root-admin"}}}
	c := fake.NewClientBuilder().WithScheme(kinds).WithObjects(live, going, adm).
		WithIndex(&tenancyv1alpha1.Account{}, index.AccountLogin, func(o client.Object) []string {
			return []string{o.(*tenancyv1alpha1.Account).Spec.Login}
		}).
		WithIndex(&tenancyv1alpha1.Admin{}, index.AdminAccount, func(o client.Object) []string {
			return []string{o.(*tenancyv1alpha1.Admin).Spec.AccountRef.Name}
		}).Build()
	ctx := context.Background()

	got, err := ByIndex[*tenancyv1alpha1.Account](ctx, c, index.AccountLogin, "bob")
	if err != nil || got == nil || got.Name != "live" {
		t.Fatalf("ByIndex(bob) = %v, %v", got, err)
	}
	for _, login := range []string{"carol", "nobody"} {
		if got, err := ByIndex[*tenancyv1alpha1.Account](ctx, c, index.AccountLogin, login); err != nil || got != nil {
			t.Errorf("ByIndex(%s) = %v, %v; want none (being deleted or absent)", login, got, err)
		}
	}
	root := &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: RootNamespace, Name: "root-admin"}}
	if adm, err := AdminGrant(ctx, c, root); err != nil || adm == nil {
		t.Errorf("AdminGrant(root-admin) = %v, %v", adm, err)
	}
	if adm, _ := AdminGrant(ctx, c, live); adm != nil {
		t.Errorf("AdminGrant(live) = %v; it holds no grant", adm)
	}
}
