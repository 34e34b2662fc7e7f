package people

import (
	"context"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
)

// GrantAdmin makes acct an administrator of the Group of its namespace with access, through an
// Admin named like acct, and waits until c's cache shows it, so that the next request on this
// replica acts with it. An Admin of that name that exists already stands. Errors are
// ClassifyWrite's, or credential.ErrNotVisible.
func GrantAdmin(ctx context.Context, c client.Client, acct *tenancyv1alpha1.Account, access tenancyv1alpha1.AccessType) (*tenancyv1alpha1.Admin, error) {
	adm := &tenancyv1alpha1.Admin{
		ObjectMeta: metav1.ObjectMeta{Namespace: acct.Namespace, Name: acct.Name},
		Spec: tenancyv1alpha1.AdminSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: acct.Name},
			AccessType: access},
	}
	switch err := c.Create(ctx, adm); {
	case apierrors.IsAlreadyExists(err):
		return adm, nil // not written now: no version of ours to wait for
	case err != nil:
		return nil, ClassifyWrite(err)
	}
	return adm, credential.WaitVisible(ctx, c, adm)
}

// WaitDeleted waits until r no longer shows obj (the object of obj's UID) as live: gone, being
// deleted (its finalizers still running), or replaced by another of the same name, so that a
// delete answered success reads as done on this replica. A delete leaves no resourceVersion
// to wait for, hence this beside credential.WaitVisible, with the same bound and error.
func WaitDeleted(ctx context.Context, r client.Reader, obj client.Object) error {
	got := obj.DeepCopyObject().(client.Object)
	err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, credential.VisibleWithin, true, func(ctx context.Context) (bool, error) {
		if err := r.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
			return apierrors.IsNotFound(err), client.IgnoreNotFound(err)
		}
		return got.GetDeletionTimestamp() != nil || got.GetUID() != obj.GetUID(), nil
	})
	if wait.Interrupted(err) && ctx.Err() == nil {
		return credential.ErrNotVisible
	}
	return err
}
