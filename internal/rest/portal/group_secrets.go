package portal

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	k8serrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
)

// The portal keeps a group's binary and secret settings (its logo, its brand's SMTP password)
// in Secrets of the group's namespace, owned by the Group (they go with it) and labelled as
// Tessera's, the only Secrets the manager's cache holds.

// putSecret writes data into the Secret name of g's namespace, creating it when absent. A
// Secret of that name that is not Tessera's is left alone (409).
func (a *API) putSecret(ctx context.Context, g *tenancyv1alpha1.Group, name string, data map[string][]byte) error {
	ns := tenancyv1alpha1.GroupNamespace(g.Name)
	if err := a.awaitTree(ctx, "namespace "+ns, func() bool {
		return a.Client.Get(ctx, client.ObjectKey{Name: ns}, &corev1.Namespace{}) == nil
	}); err != nil {
		return err
	}
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}, Type: corev1.SecretTypeOpaque}
	own := func(s *corev1.Secret) {
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		s.Labels[tenancyv1alpha1.LabelManagedBy] = tenancyv1alpha1.ManagedByValue
		s.Labels[tenancyv1alpha1.LabelGroup] = g.Name
		s.OwnerReferences = []metav1.OwnerReference{{APIVersion: tenancyv1alpha1.GroupVersion.String(), Kind: "Group",
			Name: g.Name, UID: g.UID}}
		s.Data = data
	}
	own(s)
	err := a.Client.Create(ctx, s)
	if k8serrors.IsAlreadyExists(err) {
		err = retry.RetryOnConflict(writeRetry, func() error {
			if err := a.Client.Get(ctx, client.ObjectKeyFromObject(s), s); err != nil {
				if k8serrors.IsNotFound(err) {
					return errConflict("namespace %s holds a Secret %s that is not Tessera's", ns, name)
				}
				return err
			}
			own(s)
			return a.Client.Update(ctx, s)
		})
	}
	if err != nil {
		return err
	}
	return credential.WaitVisible(ctx, a.Client, s)
}

// deleteSecret deletes the Secret name of g's namespace, if it is there.
func (a *API) deleteSecret(ctx context.Context, g *tenancyv1alpha1.Group, name string) error {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: tenancyv1alpha1.GroupNamespace(g.Name)}}
	return client.IgnoreNotFound(a.Client.Delete(ctx, s))
}

// secretData is the data of the Secret name of g's namespace (errNoSecret when the cache has
// none: absent, or not labelled as Tessera's).
func (a *API) secretData(ctx context.Context, g *tenancyv1alpha1.Group, name string) (map[string][]byte, error) {
	s := &corev1.Secret{}
	err := a.Client.Get(ctx, client.ObjectKey{Namespace: tenancyv1alpha1.GroupNamespace(g.Name), Name: name}, s)
	if k8serrors.IsNotFound(err) {
		return nil, errNoSecret
	}
	return s.Data, err
}
