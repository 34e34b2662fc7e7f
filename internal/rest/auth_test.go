package rest

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/password"
	"github.com/tessera-dev/tessera/internal/tree"
	"github.com/tessera-dev/tessera/internal/verify"
)

const (
	annLogin    = "ann@acme.example"
	annPassword = "pw-123"
)

// indexOn registers the product's field indexes with a fake client builder.
type indexOn struct{ b *fake.ClientBuilder }

func (i indexOn) IndexField(_ context.Context, obj client.Object, field string, fn client.IndexerFunc) error {
	i.b.WithIndex(obj, field, fn)
	return nil
}

// annAuthenticator serves one Account, ann of Group acme, whose password is annPassword. The
// verifier's decisions over the objects are tested in package verify; here only how Password
// wraps them in the lockout and the hashing slots.
func annAuthenticator(t *testing.T) *Authenticator {
	t.Helper()
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	if err := tenancyv1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash(annPassword)
	if err != nil {
		t.Fatal(err)
	}
	acct := &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: tenancyv1alpha1.GroupNamespace("acme"),
		Name: "ann", UID: "uid-ann"}, Spec: tenancyv1alpha1.AccountSpec{Login: annLogin}}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: acct.Namespace, Name: credential.SecretName(acct.Name),
		OwnerReferences: []metav1.OwnerReference{{APIVersion: tenancyv1alpha1.GroupVersion.String(), Kind: "Account",
			Name: acct.Name, UID: acct.UID, Controller: new(true)}}},
		Data: map[string][]byte{credential.HashKey: []byte(hash)}}
	b := fake.NewClientBuilder().WithScheme(s).WithObjects(acct, secret)
	if err := index.Setup(context.Background(), indexOn{b}); err != nil {
		t.Fatal(err)
	}
	forest := &tree.Forest{}
	forest.Set(tree.Node{Name: "root"})
	forest.Set(tree.Node{Name: "acme", Parent: "root"})
	return NewAuthenticator(&verify.Verifier{Cache: b.Build(), Forest: forest})
}

func signIn(a *Authenticator, pw string) error {
	_, err := a.Password(httptest.NewRequest("POST", "/1/verifier", nil), annLogin, pw)
	return err
}

func TestRememberedPasswordTakesNoHashingSlot(t *testing.T) {
	a := annAuthenticator(t)
	if err := signIn(a, annPassword); err != nil {
		t.Fatal(err)
	}
	for range cap(a.limiter.slots) {
		a.limiter.slots <- struct{}{} // every slot busy with other hashes
	}
	if err := signIn(a, annPassword); err != nil {
		t.Fatalf("the remembered password with every slot busy: %v", err)
	}
	if _, throttled := errors.AsType[*ThrottledError](signIn(a, "another-pw")); !throttled {
		t.Fatal("a password that needs a hash must still wait for a slot")
	}
}

func TestLockoutRefusesARememberedPassword(t *testing.T) {
	a := annAuthenticator(t)
	if err := signIn(a, annPassword); err != nil {
		t.Fatal(err)
	}
	for range lockoutFailures {
		if err := signIn(a, "wrong-pw"); !errors.Is(err, verify.ErrWrongPassword) {
			t.Fatalf("a wrong password before the lockout: %v", err)
		}
	}
	if _, throttled := errors.AsType[*ThrottledError](signIn(a, annPassword)); !throttled {
		t.Fatal("a login locked out must be refused, remembered password or not")
	}
}

func TestRememberedPasswordClearsFailures(t *testing.T) {
	a := annAuthenticator(t)
	if err := signIn(a, annPassword); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		for range lockoutFailures - 1 {
			if err := signIn(a, "wrong-pw"); !errors.Is(err, verify.ErrWrongPassword) {
				t.Fatalf("a wrong password: %v (a remembered success must clear the failures)", err)
			}
		}
		if err := signIn(a, annPassword); err != nil {
			t.Fatal(err)
		}
	}
}
