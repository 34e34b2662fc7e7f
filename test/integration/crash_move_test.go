package integration

import (
	"context"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/controllers"
	"github.com/tessera-dev/tessera/internal/credential"
)

const movePassword = "Move-Pass-1"

// moveSubject creates an Account in the root namespace that can sign in, as a business creator
// is before its move.
func moveSubject(ctx context.Context, prefix string) (*tenancyv1alpha1.Account, string) {
	GinkgoHelper()
	login := newLogin(prefix)
	a := newAccount(rootNS, prefix+oteUniq(), login)
	a.Spec.Profile.FirstName = "Mover"
	Expect(k8s.Create(ctx, a)).To(Succeed())
	Expect(storePassword(ctx, a, movePassword)).To(Succeed())
	acct := expectAccountReady(ctx, rootNS, a.Name, metav1.ConditionTrue, "PasswordHashStored", 20*time.Second)
	Eventually(func() int { return verifierStatus(login, movePassword) }, 10*time.Second, 100*time.Millisecond).Should(Equal(http.StatusOK))
	return acct, login
}

// savedRecord is the move record as the reconciler leaves it just before deleting the Account.
func savedRecord(ctx context.Context, a *tenancyv1alpha1.Account, group string) *corev1.Secret {
	GinkgoHelper()
	hs := &corev1.Secret{}
	Expect(k8s.Get(ctx, client.ObjectKey{Namespace: a.Namespace, Name: credential.SecretName(a.Name)}, hs)).To(Succeed())
	rec := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: a.Namespace, Name: credential.MoveRecordName(a.Name),
		Labels: map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue, tenancyv1alpha1.LabelMoveOf: a.Name}}}
	Expect(credential.SetMove(rec, &credential.Move{Group: group, UID: a.UID, Grant: tenancyv1alpha1.AccessFull,
		Account: &credential.MovedAccount{ResourceVersion: a.ResourceVersion, Labels: a.Labels, Annotations: a.Annotations, Spec: a.Spec}},
		string(hs.Data[credential.HashKey]))).To(Succeed())
	return rec
}

// moveGroup is the business Group a creation writes for a's move.
func moveGroup(name string, a *tenancyv1alpha1.Account) *tenancyv1alpha1.Group {
	g := newGroup(name, "root")
	g.Annotations = map[string]string{tenancyv1alpha1.AnnotationMoveIn: string(a.UID)}
	return g
}

// deleteAndWait deletes a and waits until its finalizer is done.
func deleteAndWait(ctx context.Context, a *tenancyv1alpha1.Account) {
	GinkgoHelper()
	Expect(k8s.Delete(ctx, a)).To(Succeed())
	Eventually(func() bool {
		return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(a), &tenancyv1alpha1.Account{}))
	}, 30*time.Second, 100*time.Millisecond).Should(BeTrue())
}

// expectLanded waits until the one Account with was's accountID is in namespace with was's
// ids, login and profile, its record is gone and it signs in with its password; it returns it.
func expectLanded(ctx context.Context, was *tenancyv1alpha1.Account, login, namespace string) *tenancyv1alpha1.Account {
	GinkgoHelper()
	var got *tenancyv1alpha1.Account
	Eventually(func(g Gomega) {
		acct, err := accountCR(ctx, was.Spec.AccountID)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(acct.Namespace).To(Equal(namespace))
		g.Expect(acct.DeletionTimestamp).To(BeNil())
		got = acct
	}, 60*time.Second, 100*time.Millisecond).Should(Succeed())
	Expect(got.Name).To(Equal(was.Name))
	Expect(got.Spec.ID).To(Equal(was.Spec.ID))
	Expect(got.Spec.Login).To(Equal(login))
	Expect(got.Spec.Profile).To(Equal(was.Spec.Profile))
	Eventually(func() bool {
		err := k8s.Get(ctx, client.ObjectKey{Namespace: was.Namespace, Name: credential.MoveRecordName(was.Name)}, &corev1.Secret{})
		return apierrors.IsNotFound(err)
	}, 30*time.Second, 100*time.Millisecond).Should(BeTrue(), "the move record is gone")
	Eventually(func() int { return verifierStatus(login, movePassword) }, 20*time.Second, 100*time.Millisecond).Should(Equal(http.StatusOK))
	return got
}

// expectMoveGrant checks the Admin grant the move gives.
func expectMoveGrant(ctx context.Context, a *tenancyv1alpha1.Account) {
	GinkgoHelper()
	adm := &tenancyv1alpha1.Admin{}
	Expect(k8s.Get(ctx, client.ObjectKey{Namespace: a.Namespace, Name: a.Name}, adm)).To(Succeed())
	Expect(adm.Spec.AccountRef.Name).To(Equal(a.Name))
	Expect(adm.Spec.AccessType).To(Equal(tenancyv1alpha1.AccessFull))
}

var _ = Describe("A business creation killed half-way", func() {
	ctx := context.Background()

	It("completes the move when killed after writing the record and the Group", func() {
		a, login := moveSubject(ctx, "crash-mv-a-")
		group := "crash-biz-a-" + oteUniq()
		_, err := credential.RequestMove(ctx, k8s, a, group, tenancyv1alpha1.AccessFull)
		Expect(err).NotTo(HaveOccurred())
		Expect(k8s.Create(ctx, moveGroup(group, a))).To(Succeed())
		expectMoveGrant(ctx, expectLanded(ctx, a, login, tenancyv1alpha1.GroupNamespace(group)))
	})

	It("completes the move when killed after deleting the Account", func() {
		a, login := moveSubject(ctx, "crash-mv-b-")
		group := "crash-biz-b-" + oteUniq()
		Expect(k8s.Create(ctx, moveGroup(group, a))).To(Succeed())
		Eventually(func() error {
			return k8s.Get(ctx, client.ObjectKey{Name: tenancyv1alpha1.GroupNamespace(group)}, &corev1.Namespace{})
		}, 20*time.Second, 50*time.Millisecond).Should(Succeed())
		rec := savedRecord(ctx, a, group)
		deleteAndWait(ctx, a) // the hash Secret goes with it: only the record holds the hash now
		Expect(k8s.Create(ctx, rec)).To(Succeed())
		expectMoveGrant(ctx, expectLanded(ctx, a, login, tenancyv1alpha1.GroupNamespace(group)))
	})

	It("rolls back when killed before the Group was written", func() {
		shorten(&controllers.MoveGrace, 2*time.Second)
		a, login := moveSubject(ctx, "crash-mv-c-")
		_, err := credential.RequestMove(ctx, k8s, a, "crash-never-"+oteUniq(), tenancyv1alpha1.AccessFull)
		Expect(err).NotTo(HaveOccurred())
		got := expectLanded(ctx, a, login, rootNS)
		Expect(got.UID).To(Equal(a.UID), "the Account was never touched")
	})

	It("never moves into a Group of that name made by someone else", func() {
		a, login := moveSubject(ctx, "crash-mv-e-")
		group := "crash-biz-e-" + oteUniq()
		groupNamespace(ctx, group) // another's business, taking the name first
		_, err := credential.RequestMove(ctx, k8s, a, group, tenancyv1alpha1.AccessFull)
		Expect(err).NotTo(HaveOccurred())
		got := expectLanded(ctx, a, login, rootNS)
		Expect(got.UID).To(Equal(a.UID), "the Account was never touched")
	})

	It("puts the Account back, same ids, when its Group went away after it was deleted", func() {
		a, login := moveSubject(ctx, "crash-mv-d-")
		rec := savedRecord(ctx, a, "crash-gone-"+oteUniq())
		deleteAndWait(ctx, a)
		Expect(k8s.Create(ctx, rec)).To(Succeed())
		got := expectLanded(ctx, a, login, rootNS)
		Expect(got.Spec.AccountID).To(Equal(a.Spec.AccountID))
	})
})
