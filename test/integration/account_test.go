package integration

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/password"
)

// kindGroupNamespace creates a Group of kind under parent and waits until its namespace exists.
func kindGroupNamespace(ctx context.Context, name, parent string, kind tenancyv1alpha1.GroupKind) string {
	g := newGroup(name, parent)
	g.Spec.Kind = kind
	Expect(k8s.Create(ctx, g)).To(Succeed())
	ns := tenancyv1alpha1.GroupNamespace(name)
	Eventually(func() error {
		return k8s.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{})
	}, 20*time.Second, 50*time.Millisecond).Should(Succeed())
	return ns
}

func getAccount(ctx context.Context, namespace, name string) (*tenancyv1alpha1.Account, error) {
	a := &tenancyv1alpha1.Account{}
	return a, k8s.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, a)
}

// expectReady waits until the object's Ready condition has status and reason, and returns it.
func expectAccountReady(ctx context.Context, namespace, name string, status metav1.ConditionStatus, reason string, timeout time.Duration) *tenancyv1alpha1.Account {
	var acct *tenancyv1alpha1.Account
	Eventually(func(g Gomega) {
		a, err := getAccount(ctx, namespace, name)
		g.Expect(err).NotTo(HaveOccurred())
		cond := meta.FindStatusCondition(a.Status.Conditions, tenancyv1alpha1.ConditionReady)
		g.Expect(cond).NotTo(BeNil())
		g.Expect(cond.Status).To(Equal(status))
		g.Expect(cond.Reason).To(Equal(reason))
		g.Expect(a.Status.ObservedGeneration).To(Equal(a.Generation))
		acct = a
	}, timeout, 25*time.Millisecond).Should(Succeed())
	return acct
}

func passwordSecret(namespace, name, key, value string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Data:       map[string][]byte{key: []byte(value)},
	}
}

// accountFromPasswordSecret creates the Account name in namespace with its password in a Secret
// name-password, and waits until its hash is stored.
func accountFromPasswordSecret(ctx context.Context, namespace, name, plaintext string) {
	Expect(k8s.Create(ctx, passwordSecret(namespace, name+"-password", "password", plaintext))).To(Succeed())
	acct := newAccount(namespace, name, name+"@"+namespace+".example")
	acct.Spec.PasswordSecretRef = &tenancyv1alpha1.PasswordSecretReference{Name: name + "-password"}
	Expect(k8s.Create(ctx, acct)).To(Succeed())
	expectAccountReady(ctx, namespace, name, metav1.ConditionTrue, tenancyv1alpha1.ReasonPasswordHashStored, 10*time.Second)
}

// storedHash reads the Account's hash Secret and checks that it holds nothing but the hash.
func storedHash(g Gomega, ctx context.Context, namespace, account string) string {
	s := &corev1.Secret{}
	g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: namespace, Name: credential.SecretName(account)}, s)).To(Succeed())
	g.Expect(s.Data).To(HaveLen(1))
	g.Expect(s.Data).To(HaveKey(credential.HashKey))
	return string(s.Data[credential.HashKey])
}

func verifies(plaintext, hash string) bool {
	ok, err := password.Verify(plaintext, hash)
	Expect(err).NotTo(HaveOccurred())
	return ok
}

var _ = Describe("The Account controller", func() {
	ctx := context.Background()

	It("hashes the password of a Secret that arrives after the Account, and hashes again when it changes", func() {
		ns := groupNamespace(ctx, "acct-pw")
		acct := newAccount(ns, "alice", "alice@acct-pw.example")
		acct.Spec.PasswordSecretRef = &tenancyv1alpha1.PasswordSecretReference{Name: "alice-password"}
		Expect(k8s.Create(ctx, acct)).To(Succeed())

		a := expectAccountReady(ctx, ns, "alice", metav1.ConditionFalse, tenancyv1alpha1.ReasonPasswordSecretMissing, 10*time.Second)
		Expect(a.Status.Group).To(Equal("acct-pw"))
		Expect(a.Status.PasswordHashSecret).To(BeEmpty())
		Expect(a.Status.UpdateTime).NotTo(BeNil())
		err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: credential.SecretName("alice")}, &corev1.Secret{})
		Expect(apierrors.IsNotFound(err)).To(BeTrue(), "no password may be invented while the Secret is missing")

		const first, second = "first-Passw0rd!", "second-Passw0rd?"
		Expect(k8s.Create(ctx, passwordSecret(ns, "alice-password", "password", first))).To(Succeed())
		// Well within the controller's 10s requeue: the Secret watch must notice the new Secret.
		a = expectAccountReady(ctx, ns, "alice", metav1.ConditionTrue, tenancyv1alpha1.ReasonPasswordHashStored, 5*time.Second)
		Expect(a.Status.PasswordHashSecret).To(Equal(credential.SecretName("alice")))

		hashSecret := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: credential.SecretName("alice")}, hashSecret)).To(Succeed())
		Expect(metav1.IsControlledBy(hashSecret, a)).To(BeTrue())
		hash := storedHash(Default, ctx, ns, "alice")
		Expect(hash).To(HavePrefix("$argon2id$"))
		Expect(verifies(first, hash)).To(BeTrue())
		for k, v := range hashSecret.Data {
			Expect(string(v)).NotTo(ContainSubstring(first), "key %s", k)
		}
		for k, v := range hashSecret.Annotations {
			Expect(v).NotTo(ContainSubstring(first), "annotation %s", k)
		}
		for _, c := range a.Status.Conditions {
			Expect(c.Message).NotTo(ContainSubstring(first))
		}

		// Nothing changed: the hash is not recomputed (a new salt would change it).
		Consistently(func(g Gomega) string { return storedHash(g, ctx, ns, "alice") }, time.Second, 100*time.Millisecond).
			Should(Equal(hash))

		src := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "alice-password"}, src)).To(Succeed())
		src.Data["password"] = []byte(second)
		Expect(k8s.Update(ctx, src)).To(Succeed())
		Eventually(func(g Gomega) {
			h := storedHash(g, ctx, ns, "alice")
			g.Expect(verifies(second, h)).To(BeTrue())
			g.Expect(verifies(first, h)).To(BeFalse())
		}, 5*time.Second, 100*time.Millisecond).Should(Succeed())
		expectAccountReady(ctx, ns, "alice", metav1.ConditionTrue, tenancyv1alpha1.ReasonPasswordHashStored, 5*time.Second)
	})

	It("stores the hash again at once when someone deletes the hash Secret", func() {
		ns := groupNamespace(ctx, "acct-hash-deleted")
		const pw = "restored-Passw0rd!"
		accountFromPasswordSecret(ctx, ns, "erin", pw)

		hashSecret := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: credential.SecretName("erin")}, hashSecret)).To(Succeed())
		Expect(k8s.Delete(ctx, hashSecret)).To(Succeed())
		// Well within the controller's 10s requeue: the hash Secret's deletion must wake its Account.
		Eventually(func(g Gomega) {
			restored := &corev1.Secret{}
			g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: credential.SecretName("erin")}, restored)).To(Succeed())
			g.Expect(restored.UID).NotTo(Equal(hashSecret.UID))
			g.Expect(verifies(pw, storedHash(g, ctx, ns, "erin"))).To(BeTrue())
		}, 5*time.Second, 100*time.Millisecond).Should(Succeed())
	})

	It("follows a password Secret that carries Tessera's label, which the metadata cache leaves out", func() {
		ns := groupNamespace(ctx, "acct-pw-labelled")
		const first, second = "labelled-Passw0rd!", "relabelled-Passw0rd?"
		src := passwordSecret(ns, "carol-password", "password", first)
		src.Labels = map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue}
		Expect(k8s.Create(ctx, src)).To(Succeed())
		acct := newAccount(ns, "carol", "carol@acct-pw-labelled.example")
		acct.Spec.PasswordSecretRef = &tenancyv1alpha1.PasswordSecretReference{Name: "carol-password"}
		Expect(k8s.Create(ctx, acct)).To(Succeed())
		expectAccountReady(ctx, ns, "carol", metav1.ConditionTrue, tenancyv1alpha1.ReasonPasswordHashStored, 10*time.Second)
		hash := storedHash(Default, ctx, ns, "carol")
		Expect(verifies(first, hash)).To(BeTrue())
		Consistently(func(g Gomega) string { return storedHash(g, ctx, ns, "carol") }, time.Second, 100*time.Millisecond).
			Should(Equal(hash), "an unchanged Secret is not hashed again")

		Expect(k8s.Get(ctx, client.ObjectKeyFromObject(src), src)).To(Succeed())
		src.Data["password"] = []byte(second)
		Expect(k8s.Update(ctx, src)).To(Succeed())
		// Well within the controller's 10s requeue: the watch must notice the change.
		Eventually(func(g Gomega) {
			h := storedHash(g, ctx, ns, "carol")
			g.Expect(verifies(second, h)).To(BeTrue())
		}, 5*time.Second, 100*time.Millisecond).Should(Succeed())
	})

	It("reports a missing password Secret or key, or no password at all, and invents none", func() {
		ns := groupNamespace(ctx, "acct-missing")
		noSecret := newAccount(ns, "no-secret", "no-secret@acct-missing.example")
		noSecret.Spec.PasswordSecretRef = &tenancyv1alpha1.PasswordSecretReference{Name: "nowhere"}
		Expect(k8s.Create(ctx, noSecret)).To(Succeed())
		Expect(k8s.Create(ctx, passwordSecret(ns, "wrong-key", "pass", "some-Passw0rd"))).To(Succeed())
		noKey := newAccount(ns, "no-key", "no-key@acct-missing.example")
		noKey.Spec.PasswordSecretRef = &tenancyv1alpha1.PasswordSecretReference{Name: "wrong-key", Key: "password"}
		Expect(k8s.Create(ctx, noKey)).To(Succeed())
		noPassword := newAccount(ns, "no-password", "no-password@acct-missing.example")
		Expect(k8s.Create(ctx, noPassword)).To(Succeed())

		a := expectAccountReady(ctx, ns, "no-secret", metav1.ConditionFalse, tenancyv1alpha1.ReasonPasswordSecretMissing, 10*time.Second)
		Expect(meta.FindStatusCondition(a.Status.Conditions, tenancyv1alpha1.ConditionReady).Message).To(ContainSubstring("nowhere"))
		a = expectAccountReady(ctx, ns, "no-key", metav1.ConditionFalse, tenancyv1alpha1.ReasonPasswordSecretMissing, 10*time.Second)
		Expect(meta.FindStatusCondition(a.Status.Conditions, tenancyv1alpha1.ConditionReady).Message).To(ContainSubstring(`"password"`))
		a = expectAccountReady(ctx, ns, "no-password", metav1.ConditionFalse, tenancyv1alpha1.ReasonNoPassword, 10*time.Second)
		msg := meta.FindStatusCondition(a.Status.Conditions, tenancyv1alpha1.ConditionReady).Message
		Expect(msg).To(ContainSubstring("REST API"))
		Expect(msg).To(ContainSubstring("spec.passwordSecretRef"))

		Consistently(func() []string {
			var found []string
			for _, name := range []string{"no-secret", "no-key", "no-password"} {
				if err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: credential.SecretName(name)}, &corev1.Secret{}); err == nil {
					found = append(found, name)
				}
			}
			return found
		}, time.Second, 100*time.Millisecond).Should(BeEmpty())
	})

	It("carries its clean-up finalizer from its create, not from a write after it", func() {
		ns := groupNamespace(ctx, "acct-finalizer")
		a := newAccount(ns, "fin", "fin@acct-finalizer.example")
		Expect(k8s.Create(ctx, a)).To(Succeed())
		// Create reads the API server's answer back into a: the defaulter added it.
		Expect(controllerutil.ContainsFinalizer(a, tenancyv1alpha1.CleanupFinalizer)).To(BeTrue())
	})

	It("reports the lock of its Group or an ancestor within a second, and lifts it on unlock", func() {
		kindGroupNamespace(ctx, "acct-lock", "root", tenancyv1alpha1.GroupKindEndUserCompany)
		ns := kindGroupNamespace(ctx, "acct-lock-dept", "acct-lock", tenancyv1alpha1.GroupKindCompanyDepartment)
		Expect(k8s.Create(ctx, newAccount(ns, "locked-out", "locked-out@acct-lock.example"))).To(Succeed())
		Eventually(func(g Gomega) {
			a, err := getAccount(ctx, ns, "locked-out")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(meta.IsStatusConditionFalse(a.Status.Conditions, tenancyv1alpha1.ConditionLocked)).To(BeTrue())
			g.Expect(controllerutil.ContainsFinalizer(a, tenancyv1alpha1.CleanupFinalizer)).To(BeTrue())
		}, 10*time.Second, 25*time.Millisecond).Should(Succeed())

		lockGroup := func(enabled bool) {
			Eventually(func() error {
				g, err := getGroup(ctx, "acct-lock")()
				if err != nil {
					return err
				}
				g.Spec.Lock = tenancyv1alpha1.GroupLock{Enabled: enabled}
				if enabled {
					g.Spec.Lock.Reason = "audit"
				}
				return k8s.Update(ctx, g)
			}, 5*time.Second, 50*time.Millisecond).Should(Succeed())
		}
		lockGroup(true)
		DeferCleanup(func() { lockGroup(false) })
		Eventually(func(g Gomega) {
			a, err := getAccount(ctx, ns, "locked-out")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(a.Status.LockedBy).To(Equal("acct-lock"))
			cond := meta.FindStatusCondition(a.Status.Conditions, tenancyv1alpha1.ConditionLocked)
			g.Expect(cond).NotTo(BeNil())
			g.Expect(cond.Status).To(Equal(metav1.ConditionTrue))
			g.Expect(cond.Message).To(Equal("locked by Group acct-lock: audit"))
		}, time.Second, 20*time.Millisecond).Should(Succeed())

		lockGroup(false)
		Eventually(func(g Gomega) {
			a, err := getAccount(ctx, ns, "locked-out")
			g.Expect(err).NotTo(HaveOccurred())
			g.Expect(a.Status.LockedBy).To(BeEmpty())
			g.Expect(meta.IsStatusConditionFalse(a.Status.Conditions, tenancyv1alpha1.ConditionLocked)).To(BeTrue())
		}, time.Second, 20*time.Millisecond).Should(Succeed())
	})

	It("deletes its Tokens, Admins and password hash when it is deleted, and nothing else", func() {
		ns := groupNamespace(ctx, "acct-del")
		Expect(k8s.Create(ctx, passwordSecret(ns, "bob-password", "password", "bobs-Passw0rd"))).To(Succeed())
		bob := newAccount(ns, "bob", "bob@acct-del.example")
		bob.Spec.PasswordSecretRef = &tenancyv1alpha1.PasswordSecretReference{Name: "bob-password"}
		Expect(k8s.Create(ctx, bob)).To(Succeed())
		Expect(k8s.Create(ctx, newAccount(ns, "carol", "carol@acct-del.example"))).To(Succeed())
		a := expectAccountReady(ctx, ns, "bob", metav1.ConditionTrue, tenancyv1alpha1.ReasonPasswordHashStored, 10*time.Second)
		Expect(controllerutil.ContainsFinalizer(a, tenancyv1alpha1.CleanupFinalizer)).To(BeTrue())

		for _, name := range []string{"bob-1", "bob-2"} {
			Expect(k8s.Create(ctx, newToken(ns, name, "bob"))).To(Succeed())
		}
		Expect(k8s.Create(ctx, newToken(ns, "carol-1", "carol"))).To(Succeed())
		for _, adm := range []*tenancyv1alpha1.Admin{newAdmin(ns, "bob-admin", "bob", 15), newAdmin(ns, "carol-admin", "carol", 15)} {
			Expect(k8s.Create(ctx, adm)).To(Succeed())
		}

		Expect(k8s.Delete(ctx, a)).To(Succeed())
		gone := func(obj client.Object) bool {
			return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj))
		}
		tokenGone := func(name string) bool {
			return gone(&tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}})
		}
		Eventually(func(g Gomega) {
			g.Expect(gone(&tenancyv1alpha1.Admin{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bob-admin"}})).To(BeTrue())
			g.Expect(gone(&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: credential.SecretName("bob")}})).To(BeTrue())
			for _, name := range []string{"bob-1", "bob-2"} {
				t := &tenancyv1alpha1.Token{}
				err := k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, t)
				if apierrors.IsNotFound(err) {
					continue
				}
				g.Expect(err).NotTo(HaveOccurred())
				// The Token controller's finalizer may hold a Token a little longer; the delete
				// must have been issued.
				g.Expect(t.DeletionTimestamp).NotTo(BeNil(), "Token %s was not deleted", name)
			}
		}, 10*time.Second, 50*time.Millisecond).Should(Succeed())

		// Give the Tokens' own finalizer time to finish; the Account must wait for it.
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) && (!tokenGone("bob-1") || !tokenGone("bob-2")) {
			a, err := getAccount(ctx, ns, "bob")
			Expect(err).NotTo(HaveOccurred(), "the Account went before its Tokens")
			Expect(controllerutil.ContainsFinalizer(a, tenancyv1alpha1.CleanupFinalizer)).To(BeTrue())
			time.Sleep(50 * time.Millisecond)
		}
		if tokenGone("bob-1") && tokenGone("bob-2") {
			Eventually(func() bool {
				return gone(&tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "bob"}})
			},
				10*time.Second, 50*time.Millisecond).Should(BeTrue(), "the finalizer must be removed once everything is gone")
		} else {
			AddReportEntry("Tokens of bob are still finalizing (Token finalizer not released); the Account waits for them")
		}

		// Another Account's objects and the user's plaintext Secret are left alone.
		t := &tenancyv1alpha1.Token{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "carol-1"}, t)).To(Succeed())
		Expect(t.DeletionTimestamp).To(BeNil())
		adm := &tenancyv1alpha1.Admin{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "carol-admin"}, adm)).To(Succeed())
		Expect(adm.DeletionTimestamp).To(BeNil())
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "bob-password"}, &corev1.Secret{})).To(Succeed())
	})

	It("records a changed password in an Event, never the plaintext, and a first password in status only", func() {
		ns := groupNamespace(ctx, "acct-events")
		const first, second = "evt-Passw0rd-xyz", "evt-Changed0-abc"
		accountFromPasswordSecret(ctx, ns, "dave", first)

		src := &corev1.Secret{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: ns, Name: "dave-password"}, src)).To(Succeed())
		src.Data["password"] = []byte(second)
		Expect(k8s.Update(ctx, src)).To(Succeed())
		Eventually(func(g Gomega) {
			list := &corev1.EventList{}
			g.Expect(k8s.List(ctx, list, client.InNamespace(ns))).To(Succeed())
			var reasons []string
			for _, e := range list.Items {
				g.Expect(e.Message).NotTo(ContainSubstring(first))
				g.Expect(e.Message).NotTo(ContainSubstring(second))
				if e.InvolvedObject.Name == "dave" {
					reasons = append(reasons, e.Reason)
				}
			}
			// Had the first hash taken an Event, the recorder would have had it since before the
			// Account was Ready, long before the change's: it would show by now.
			g.Expect(reasons).To(ConsistOf(tenancyv1alpha1.EventReasonPasswordHashUpdated))
		}, 10*time.Second, 100*time.Millisecond).Should(Succeed())
	})
})
