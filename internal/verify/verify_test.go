package verify

import (
	"context"
	"errors"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/keys"
	"github.com/tessera-dev/tessera/internal/tree"
)

const (
	issuer  = "https://tessera.example"
	tokenID = "7f3c2a9e-1b4d-4c8e-9f0a-2d6b5e8c1a3f"
	acctID  = "0b1e4d2c-8a7f-4e3b-9c6d-5f2a1e0b9d8c"
)

// builderIndexer registers the product's field indexes with a fake client builder.
type builderIndexer struct{ b *fake.ClientBuilder }

func (i builderIndexer) IndexField(_ context.Context, obj client.Object, field string, fn client.IndexerFunc) error {
	i.b.WithIndex(obj, field, fn)
	return nil
}

// fixture is two groups, a and b, each with an Account and a Token; ids may be duplicated
// across them, as a copy that slipped past admission would be.
type fixture struct {
	t   *testing.T
	set *keys.Set
	cl  client.Client
	v   *Verifier
}

func newFixture(t *testing.T, objs ...client.Object) *fixture {
	t.Helper()
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := tenancyv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	set, err := keys.Generate(keys.ES256, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...)
	if err := index.Setup(context.Background(), builderIndexer{b}); err != nil {
		t.Fatal(err)
	}
	store := &keys.Store{}
	store.Put(set)
	forest := &tree.Forest{}
	forest.Set(tree.Node{Name: "root"})
	forest.Set(tree.Node{Name: "a", Parent: "root"})
	forest.Set(tree.Node{Name: "b", Parent: "root"})
	cl := b.Build()
	return &fixture{t: t, set: set, cl: cl, v: &Verifier{Keys: store, Cache: cl, Forest: forest, Issuer: issuer}}
}

func account(group string) *tenancyv1alpha1.Account {
	return &tenancyv1alpha1.Account{
		ObjectMeta: metav1.ObjectMeta{Namespace: tenancyv1alpha1.GroupNamespace(group), Name: "owner"},
		Spec:       tenancyv1alpha1.AccountSpec{Login: "owner@" + group + ".example", AccountID: acctID},
	}
}

func token(group string) *tenancyv1alpha1.Token {
	return &tenancyv1alpha1.Token{
		ObjectMeta: metav1.ObjectMeta{Namespace: tenancyv1alpha1.GroupNamespace(group), Name: "tok", UID: types.UID("uid-" + group)},
		Spec: tenancyv1alpha1.TokenSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: "owner"}, TokenID: tokenID,
			VisibilityArea: tenancyv1alpha1.VisibilityAll},
	}
}

// sign signs a JWT for the fixture's token and account ids, as the controller does.
func (f *fixture) sign() string {
	f.t.Helper()
	raw, _, err := jwt.Sign(f.set, jwt.Claims{TokenID: tokenID, AccountID: acctID, VisibilityArea: "all",
		Issuer: issuer, IssuedAt: time.Now()})
	if err != nil {
		f.t.Fatal(err)
	}
	return raw
}

// store writes raw as tok's current JWT into a Secret tok owns.
func (f *fixture) store(tok *tenancyv1alpha1.Token, raw string) {
	f.t.Helper()
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: tok.Namespace, Name: tok.Name + "-jwt"}}
	if err := f.cl.Get(context.Background(), client.ObjectKeyFromObject(s), s); err == nil {
		s.Data = map[string][]byte{tokenSecretKey: []byte(raw)}
		if err := f.cl.Update(context.Background(), s); err != nil {
			f.t.Fatal(err)
		}
		return
	}
	s.OwnerReferences = []metav1.OwnerReference{{APIVersion: tenancyv1alpha1.GroupVersion.String(), Kind: "Token",
		Name: tok.Name, UID: tok.UID, Controller: new(true)}}
	s.Data = map[string][]byte{tokenSecretKey: []byte(raw)}
	if err := f.cl.Create(context.Background(), s); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) verify(raw string) (*Principal, error) {
	return f.v.VerifyToken(context.Background(), raw)
}

func TestVerifyTokenResolvesThroughTheObjects(t *testing.T) {
	tokA, tokB := token("a"), token("b")
	// Both the token id and the account id are duplicated across the groups.
	f := newFixture(t, account("a"), account("b"), tokA, tokB)
	jwtA, jwtB := f.sign(), f.sign()
	f.store(tokA, jwtA)
	f.store(tokB, jwtB)

	for raw, group := range map[string]string{jwtA: "a", jwtB: "b"} {
		p, err := f.verify(raw)
		if err != nil {
			t.Fatal(err)
		}
		if ns := tenancyv1alpha1.GroupNamespace(group); p.Token.Namespace != ns || p.Account.Namespace != ns {
			t.Fatalf("the JWT of group %s resolved to Token %s/%s and Account %s/%s", group,
				p.Token.Namespace, p.Token.Name, p.Account.Namespace, p.Account.Name)
		}
	}
}

func TestVerifyTokenAcceptsOnlyTheCurrentJWT(t *testing.T) {
	tok := token("a")
	f := newFixture(t, account("a"), tok)
	old, current := f.sign(), f.sign()
	f.store(tok, old)
	if _, err := f.verify(old); err != nil {
		t.Fatal(err)
	}
	// Re-issued: the Secret holds another JWT of the same claims.
	f.store(tok, current)
	if _, err := f.verify(old); !errors.Is(err, ErrTokenGone) {
		t.Fatalf("the superseded JWT: %v, want ErrTokenGone", err)
	}
	if _, err := f.verify(current); err != nil {
		t.Fatalf("the current JWT: %v", err)
	}
}

func TestVerifyTokenRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(f *fixture, tok *tenancyv1alpha1.Token)
		want   error
	}{
		{"a JWT whose account id is not that of the Token's Account", func(f *fixture, tok *tenancyv1alpha1.Token) {
			// Another Account holds the JWT's account id; the Token's own does not.
			a := account("a")
			if err := f.cl.Get(context.Background(), client.ObjectKeyFromObject(a), a); err != nil {
				t.Fatal(err)
			}
			a.Spec.AccountID = "11111111-2222-4333-8444-555555555555"
			if err := f.cl.Update(context.Background(), a); err != nil {
				t.Fatal(err)
			}
		}, ErrInvalid},
		{"a deleted Token's JWT", func(f *fixture, tok *tenancyv1alpha1.Token) {
			if err := f.cl.Delete(context.Background(), tok); err != nil {
				t.Fatal(err)
			}
		}, ErrTokenGone},
		{"a JWT in a Secret the Token does not own", func(f *fixture, tok *tenancyv1alpha1.Token) {
			s := &corev1.Secret{}
			if err := f.cl.Get(context.Background(), client.ObjectKey{Namespace: tok.Namespace, Name: "tok-jwt"}, s); err != nil {
				t.Fatal(err)
			}
			s.OwnerReferences[0].UID = "another-token"
			if err := f.cl.Update(context.Background(), s); err != nil {
				t.Fatal(err)
			}
		}, ErrTokenGone},
		{"a JWT whose Token's Account is gone", func(f *fixture, tok *tenancyv1alpha1.Token) {
			if err := f.cl.Delete(context.Background(), account("a")); err != nil {
				t.Fatal(err)
			}
		}, ErrAccountGone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok := token("a")
			f := newFixture(t, account("a"), account("b"), tok)
			raw := f.sign()
			f.store(tok, raw)
			if _, err := f.verify(raw); err != nil {
				t.Fatal(err)
			}
			tc.change(f, tok)
			if _, err := f.verify(raw); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}
