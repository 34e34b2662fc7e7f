package integration

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
)

// newGroup returns a company Group under parent.
func newGroup(name, parent string) *tenancyv1alpha1.Group {
	return &tenancyv1alpha1.Group{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       tenancyv1alpha1.GroupSpec{Parent: parent, Kind: tenancyv1alpha1.GroupKindEndUserCompany},
	}
}

func newAccount(namespace, name, login string) *tenancyv1alpha1.Account {
	return &tenancyv1alpha1.Account{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec:       tenancyv1alpha1.AccountSpec{Login: login, Type: tenancyv1alpha1.AccountTypeUser},
	}
}

func newToken(namespace, name, account string) *tenancyv1alpha1.Token {
	return &tenancyv1alpha1.Token{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec:       tenancyv1alpha1.TokenSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: account}},
	}
}

// groupNamespace creates a Group under root and waits until its namespace exists.
func groupNamespace(ctx context.Context, name string) string {
	Expect(k8s.Create(ctx, newGroup(name, "root"))).To(Succeed())
	ns := tenancyv1alpha1.GroupNamespace(name)
	Eventually(func() error {
		return k8s.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{})
	}, 20*time.Second, 50*time.Millisecond).Should(Succeed())
	return ns
}

// update applies mutate to the latest version of obj and writes it, retrying when a controller
// wrote in between; it returns the first error that is not a conflict.
func update[T client.Object](ctx context.Context, obj T, mutate func(T)) error {
	GinkgoHelper()
	var err error
	for range 50 {
		if err = k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		mutate(obj)
		if err = k8s.Update(ctx, obj); !apierrors.IsConflict(err) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
	return err
}

// storePassword sets an Account's password the way the REST APIs do.
func storePassword(ctx context.Context, a *tenancyv1alpha1.Account, password string) error {
	return credential.Store(ctx, k8s, a, password)
}

// conditionTypes lists the types of the conditions an object reports, in order.
func conditionTypes(conds []metav1.Condition) []string {
	types := make([]string, 0, len(conds))
	for _, c := range conds {
		types = append(types, c.Type)
	}
	return types
}
