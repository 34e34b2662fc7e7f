package verify

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/password"
	"github.com/tessera-dev/tessera/internal/tree"
)

func (m *passwordMemory) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

func TestPasswordKeyIsKeyedPerProcessAndUnambiguous(t *testing.T) {
	var m, other passwordMemory
	k := m.key("ann@a.example", "pw-123")
	if m.key("ann@a.example", "pw-123") != k {
		t.Fatal("the same pair must give the same key")
	}
	if other.key("ann@a.example", "pw-123") == k {
		t.Fatal("another process's key must differ: the key is an HMAC under a random secret")
	}
	for _, plain := range []string{"pw-123", "ann@a.example" + "pw-123", "ann@a.example:pw-123"} {
		if sum := sha256.Sum256([]byte(plain)); passwordKey(sum) == k {
			t.Fatalf("the key is a plain hash of %q", plain)
		}
	}
	if m.key("ab", "c") == m.key("a", "bc") {
		t.Fatal("login and password must not run into each other")
	}
}

func TestPasswordMemoryMatchesTheSameAccountAndHashOnlyAndNotForever(t *testing.T) {
	now := time.Now()
	for _, tc := range []struct {
		name string
		uid  types.UID
		hash string
		at   time.Time
		want bool
	}{
		{"the same Account and hash", "uid-1", "hash-1", now.Add(time.Minute), true},
		{"another Account (recreated under the login)", "uid-2", "hash-1", now, false},
		{"another hash (password changed)", "uid-1", "hash-2", now, false},
		{"after rememberFor", "uid-1", "hash-1", now.Add(rememberFor), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m passwordMemory
			k := m.key("ann@a.example", "pw-123")
			m.remember(k, "uid-1", "hash-1", now)
			if got := m.matches(k, tc.uid, tc.hash, tc.at); got != tc.want {
				t.Fatalf("matches = %v, want %v", got, tc.want)
			}
			if !tc.want && m.size() != 0 {
				t.Fatal("an entry that no longer matches must be dropped")
			}
		})
	}
}

func TestPasswordMemoryStaysBounded(t *testing.T) {
	var m passwordMemory
	now := time.Now()
	var last passwordKey
	for i := range rememberedMax + 1000 {
		last = m.key(fmt.Sprintf("u%d@flood.example", i), "pw-123")
		m.remember(last, "uid", "hash", now)
	}
	if n := m.size(); n != rememberedMax {
		t.Fatalf("%d entries, want the bound %d", n, rememberedMax)
	}
	if !m.matches(last, "uid", "hash", now) {
		t.Fatal("the newest entry must be kept")
	}
}

// passwordFixture is an Account of group a with the password "pw-123" in its own hash Secret.
func passwordFixture(t *testing.T) (*fixture, *tenancyv1alpha1.Account, *corev1.Secret) {
	t.Helper()
	acct := account("a")
	acct.UID = "uid-owner"
	hash, err := password.Hash("pw-123")
	if err != nil {
		t.Fatal(err)
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: acct.Namespace, Name: credential.SecretName(acct.Name),
		OwnerReferences: []metav1.OwnerReference{{APIVersion: tenancyv1alpha1.GroupVersion.String(), Kind: "Account",
			Name: acct.Name, UID: acct.UID, Controller: new(true)}}},
		Data: map[string][]byte{credential.HashKey: []byte(hash)}}
	return newFixture(t, acct, s), acct, s
}

// countingGate counts the hashes it lets through.
type countingGate struct{ hashes int }

func (g *countingGate) take() (func(), error) {
	g.hashes++
	return func() {}, nil
}

func TestVerifyPasswordRemembersRightPasswordsOnly(t *testing.T) {
	f, acct, _ := passwordFixture(t)
	ctx := context.Background()
	gate := &countingGate{}
	if _, err := f.v.VerifyPasswordGated(ctx, acct.Spec.Login, "wrong-pw", gate.take); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("a wrong password: %v", err)
	}
	if _, err := f.v.VerifyPasswordGated(ctx, "nobody@a.example", "pw-123", gate.take); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("an unknown login: %v", err)
	}
	if n := f.v.passwords.size(); n != 0 {
		t.Fatalf("%d entries after two refusals, want none", n)
	}
	for range 3 {
		if _, err := f.v.VerifyPasswordGated(ctx, acct.Spec.Login, "pw-123", gate.take); err != nil {
			t.Fatal(err)
		}
	}
	if gate.hashes != 3 {
		t.Fatalf("%d hashes for two refusals and three sign-ins, want 3 (the repeats remembered)", gate.hashes)
	}
	if _, err := f.v.VerifyPasswordGated(ctx, acct.Spec.Login, "wrong-pw", gate.take); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("a wrong password after a right one: %v", err)
	}
}

func TestVerifyPasswordChecksTheRememberedAgainstTheObjects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(f *fixture, acct *tenancyv1alpha1.Account, s *corev1.Secret) error
		want   error
	}{
		{"a new hash", func(f *fixture, _ *tenancyv1alpha1.Account, s *corev1.Secret) error {
			hash, err := password.Hash("pw-456")
			if err != nil {
				return err
			}
			s.Data = map[string][]byte{credential.HashKey: []byte(hash)}
			return f.cl.Update(context.Background(), s)
		}, ErrWrongPassword},
		{"a hash Secret no longer the Account's", func(f *fixture, _ *tenancyv1alpha1.Account, s *corev1.Secret) error {
			s.OwnerReferences = nil
			return f.cl.Update(context.Background(), s)
		}, ErrWrongPassword},
		{"a deleted Account", func(f *fixture, acct *tenancyv1alpha1.Account, _ *corev1.Secret) error {
			return f.cl.Delete(context.Background(), acct)
		}, ErrWrongPassword},
		{"a disabled Account", func(f *fixture, acct *tenancyv1alpha1.Account, _ *corev1.Secret) error {
			acct.Spec.Disabled = true
			return f.cl.Update(context.Background(), acct)
		}, ErrDisabled},
		{"an Account pending approval", func(f *fixture, acct *tenancyv1alpha1.Account, _ *corev1.Secret) error {
			acct.Spec.Approval = tenancyv1alpha1.ApprovalPending
			return f.cl.Update(context.Background(), acct)
		}, ErrNotApproved},
		{"a locked ancestor", func(f *fixture, _ *tenancyv1alpha1.Account, _ *corev1.Secret) error {
			f.v.Forest.Set(tree.Node{Name: "root", Locked: true, LockReason: "audit"})
			return nil
		}, ErrLocked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, acct, s := passwordFixture(t)
			ctx := context.Background()
			if _, err := f.v.VerifyPassword(ctx, acct.Spec.Login, "pw-123"); err != nil {
				t.Fatal(err)
			}
			for _, o := range []client.Object{acct, s} {
				if err := f.cl.Get(ctx, client.ObjectKeyFromObject(o), o); err != nil {
					t.Fatal(err)
				}
			}
			if err := tc.change(f, acct, s); err != nil {
				t.Fatal(err)
			}
			_, err := f.v.VerifyPassword(ctx, acct.Spec.Login, "pw-123")
			if !errors.Is(err, tc.want) {
				t.Fatalf("the remembered password after %s: %v, want %v", tc.name, err, tc.want)
			}
		})
	}
}

func TestVerifyPasswordTakesTheNewPasswordAtOnce(t *testing.T) {
	f, acct, s := passwordFixture(t)
	ctx := context.Background()
	if _, err := f.v.VerifyPassword(ctx, acct.Spec.Login, "pw-123"); err != nil {
		t.Fatal(err)
	}
	if err := f.cl.Get(ctx, client.ObjectKeyFromObject(s), s); err != nil {
		t.Fatal(err)
	}
	hash, err := password.Hash("pw-456")
	if err != nil {
		t.Fatal(err)
	}
	s.Data = map[string][]byte{credential.HashKey: []byte(hash)}
	if err := f.cl.Update(ctx, s); err != nil {
		t.Fatal(err)
	}
	if _, err := f.v.VerifyPassword(ctx, acct.Spec.Login, "pw-456"); err != nil {
		t.Fatalf("the new password: %v", err)
	}
	if _, err := f.v.VerifyPassword(ctx, acct.Spec.Login, "pw-123"); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("the old password: %v", err)
	}
	if _, err := f.v.VerifyPassword(ctx, acct.Spec.Login, strings.ToUpper("pw-456")); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("another password: %v", err)
	}
}

// TestVerifyPasswordSharesOneHashAmongConcurrentChecks sends the same credentials eight times
// at once through a gate of one slot that refuses rather than waits, as the REST limiter does:
// all eight succeed on one hash, where each would otherwise take a slot or be refused.
func TestVerifyPasswordSharesOneHashAmongConcurrentChecks(t *testing.T) {
	f, acct, _ := passwordFixture(t)
	ctx := context.Background()
	var mu sync.Mutex
	busy, hashes := false, 0
	gate := func() (func(), error) {
		mu.Lock()
		defer mu.Unlock()
		if busy {
			return nil, errors.New("no hashing slot free")
		}
		busy, hashes = true, hashes+1
		return func() { mu.Lock(); busy = false; mu.Unlock() }, nil
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { _, errs[i] = f.v.VerifyPasswordGated(ctx, acct.Spec.Login, "pw-123", gate) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("check %d: %v", i, err)
		}
	}
	if hashes != 1 {
		t.Errorf("%d hashes for eight concurrent checks of one credential, want 1", hashes)
	}
	// A wrong password shares nothing with the right one and is refused.
	if _, err := f.v.VerifyPasswordGated(ctx, acct.Spec.Login, "wrong-pw", gate); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("a wrong password: %v", err)
	}
}
