package credential

import (
	"errors"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

func TestAtLeast(t *testing.T) {
	for _, c := range []struct {
		have, want string
		ok         bool
	}{{"10", "10", true}, {"11", "10", true}, {"9", "10", false}, {"100", "99", true}, {"x", "x", true}, {"x", "10", false}} {
		if got := atLeast(c.have, c.want); got != c.ok {
			t.Errorf("atLeast(%q, %q) = %v, want %v", c.have, c.want, got, c.ok)
		}
	}
}

func TestRefused(t *testing.T) {
	gr := schema.GroupResource{Resource: "accounts"}
	for _, c := range []struct {
		err error
		ok  bool
	}{
		{apierrors.NewConflict(gr, "a", errors.New("login taken")), true},
		{apierrors.NewForbidden(gr, "a", errors.New("locked")), true},
		{apierrors.NewAlreadyExists(gr, "a"), true},
		{apierrors.NewTimeoutError("slow", 1), false},
		{apierrors.NewInternalError(errors.New("etcd")), false},
		{errors.New("connection reset"), false},
	} {
		if got := refused(c.err); got != c.ok {
			t.Errorf("refused(%v) = %v, want %v", c.err, got, c.ok)
		}
	}
}

func TestAdoptableAndOrphaned(t *testing.T) {
	hash := "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA"
	acct := &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Name: "a", UID: "uid-a",
		Annotations: map[string]string{tenancyv1alpha1.AnnotationInitialPasswordFingerprint: Fingerprint(hash)}}}
	old := metav1.NewTime(time.Now().Add(-2 * OrphanAfter))
	pending := func() *corev1.Secret {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: SecretName("a"), CreationTimestamp: old,
			Annotations: map[string]string{tenancyv1alpha1.AnnotationPendingAccount: "a"}}, Data: map[string][]byte{HashKey: []byte(hash)}}
	}
	if s := pending(); !Adoptable(acct, s) || !Orphaned(s, time.Now()) {
		t.Fatal("a pending Secret with the Account's fingerprint is adoptable, and orphaned when old")
	}
	other := pending()
	other.Data[HashKey] = []byte(hash + "x")
	owned := pending()
	owned.OwnerReferences = []metav1.OwnerReference{{Name: "b", UID: "uid-b", Controller: new(true)}}
	young := pending()
	young.CreationTimestamp = metav1.Now()
	for name, s := range map[string]*corev1.Secret{"another hash": other, "owned": owned} {
		if Adoptable(acct, s) {
			t.Errorf("%s: adoptable", name)
		}
	}
	if Orphaned(owned, time.Now()) || Orphaned(young, time.Now()) {
		t.Error("an owned or young Secret is no orphan")
	}
	if HashFor(acct, pending()) != hash || HashFor(acct, owned) != "" || HashFor(acct, other) != "" {
		t.Error("HashFor takes the Account's own or pending hash only")
	}
}
