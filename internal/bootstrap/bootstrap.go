// Package bootstrap creates what a fresh Tessera needs on first start: the root Group and, when
// credentials are configured, an admin-type Account with an Admin grant on the root. Existing
// objects are never recreated or overwritten, so a changed password in the environment does not
// reset the administrator's password.
package bootstrap

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
)

// Names of the bootstrap objects.
const (
	// AdminName is the bootstrap administrator's Account (and Admin).
	AdminName = "bootstrap-admin"
)

// Bootstrap is a one-shot Runnable. It runs on the leader only.
type Bootstrap struct {
	// Client must read from the API server (the manager's APIReader semantics): the cache may
	// not have started when Start runs.
	Client        client.Client
	Login         string
	Password      string
	rootNamespace string
}

// NeedLeaderElection reports true: one replica creates the bootstrap objects.
func (b *Bootstrap) NeedLeaderElection() bool { return true }

// Start creates the root Group, waits for its namespace, and creates the bootstrap admin. It
// retries until it succeeds or ctx ends: on a fresh install the first creates can fail while the
// admission webhook (served by this very process) is not yet reachable through its Service.
func (b *Bootstrap) Start(ctx context.Context) error {
	if b.Login != "" && b.Password == "" {
		return fmt.Errorf("TESSERA_ADMIN_LOGIN is set but TESSERA_ADMIN_PASSWORD is empty")
	}
	log := logf.FromContext(ctx).WithName("bootstrap")
	delay := 200 * time.Millisecond
	for {
		err := b.run(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		log.Info("bootstrap not done yet; retrying", "error", err.Error(), "in", delay.String())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 10*time.Second)
	}
}

func (b *Bootstrap) run(ctx context.Context) error {
	log := logf.FromContext(ctx).WithName("bootstrap")
	root := &tenancyv1alpha1.Group{
		ObjectMeta: metav1.ObjectMeta{Name: tenancyv1alpha1.RootGroupName},
		Spec: tenancyv1alpha1.GroupSpec{Kind: tenancyv1alpha1.GroupKindRoot, DisplayName: "Root",
			Description: "The root of the tenant tree, created by Tessera on first start."},
	}
	if err := b.create(ctx, root); err != nil {
		return fmt.Errorf("creating the root Group: %w", err)
	}
	b.rootNamespace = tenancyv1alpha1.GroupNamespace(tenancyv1alpha1.RootGroupName)
	if b.Login == "" {
		log.Info("no bootstrap administrator configured (TESSERA_ADMIN_LOGIN is empty)")
		return nil
	}
	if err := b.waitForNamespace(ctx); err != nil {
		return err
	}
	acct := &tenancyv1alpha1.Account{}
	err := b.Client.Get(ctx, client.ObjectKey{Namespace: b.rootNamespace, Name: AdminName}, acct)
	switch {
	case apierrors.IsNotFound(err):
		acct = &tenancyv1alpha1.Account{
			ObjectMeta: metav1.ObjectMeta{Namespace: b.rootNamespace, Name: AdminName},
			Spec: tenancyv1alpha1.AccountSpec{Login: b.Login, Type: tenancyv1alpha1.AccountTypeAdmin,
				Approval: tenancyv1alpha1.ApprovalApproved, Description: "bootstrap administrator"},
		}
		if err := b.Client.Create(ctx, acct); err != nil {
			return fmt.Errorf("creating the bootstrap administrator: %w", err)
		}
		if err := credential.Store(ctx, b.Client, acct, b.Password); err != nil {
			return fmt.Errorf("storing the bootstrap administrator's password hash: %w", err)
		}
		log.Info("created the bootstrap administrator", "login", b.Login, "account", b.rootNamespace+"/"+AdminName)
	case err != nil:
		return err
	default:
		// An existing administrator keeps its password, even if the environment changed.
		// A retry after a failed hash write must still store one, though.
		if err := b.Client.Get(ctx, client.ObjectKey{Namespace: b.rootNamespace, Name: credential.SecretName(AdminName)}, &corev1.Secret{}); apierrors.IsNotFound(err) {
			if err := credential.Store(ctx, b.Client, acct, b.Password); err != nil {
				return fmt.Errorf("storing the bootstrap administrator's password hash: %w", err)
			}
		} else if err != nil {
			return err
		}
	}
	admin := &tenancyv1alpha1.Admin{
		ObjectMeta: metav1.ObjectMeta{Namespace: b.rootNamespace, Name: AdminName},
		Spec: tenancyv1alpha1.AdminSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: AdminName},
			AccessType: tenancyv1alpha1.AccessFull},
	}
	if err := b.create(ctx, admin); err != nil {
		return fmt.Errorf("granting the bootstrap administrator the root Group: %w", err)
	}
	return nil
}

// create creates obj unless an object of that name exists.
func (b *Bootstrap) create(ctx context.Context, obj client.Object) error {
	err := b.Client.Create(ctx, obj)
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

func (b *Bootstrap) waitForNamespace(ctx context.Context) error {
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		err := b.Client.Get(ctx, client.ObjectKey{Name: b.rootNamespace}, &corev1.Namespace{})
		return err == nil, client.IgnoreNotFound(err)
	})
	if err != nil {
		return fmt.Errorf("waiting for the root Group's namespace %s: %w", b.rootNamespace, err)
	}
	return nil
}
