package webhook

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/logins"
	"github.com/tessera-dev/tessera/internal/tree"
)

// Deps are what the webhooks consult.
type Deps struct {
	// IDs hands out integer ids.
	IDs IDSource
	// Forest is the tenant tree the Group reconciler keeps.
	Forest *tree.Forest
	// Cache reads from the manager's cache (indexes, namespaces).
	Cache client.Reader
	// Direct reads and writes the API server itself.
	Direct client.Client
	// Logins claims Account logins.
	Logins *logins.Claims
}

// Setup registers every Tessera webhook with the manager's webhook server.
func Setup(mgr ctrl.Manager, d Deps) error {
	l := lineage{forest: d.Forest, cache: d.Cache, direct: d.Direct}
	resource := func(plural string) schema.GroupResource {
		return tenancyv1alpha1.GroupVersion.WithResource(plural).GroupResource()
	}
	if err := ctrl.NewWebhookManagedBy(mgr, &tenancyv1alpha1.Group{}).
		WithDefaulter(&Identifiers[*tenancyv1alpha1.Group]{IDs: d.IDs}).
		WithValidator(&GroupValidator{lineage: l}).Complete(); err != nil {
		return err
	}
	if err := ctrl.NewWebhookManagedBy(mgr, &tenancyv1alpha1.Account{}).
		WithDefaulter(&Identifiers[*tenancyv1alpha1.Account]{IDs: d.IDs}).
		WithValidator(&GroupMember[*tenancyv1alpha1.Account]{lineage: l, Logins: d.Logins, Accounts: d.Cache,
			Resource: resource("accounts")}).Complete(); err != nil {
		return err
	}
	if err := ctrl.NewWebhookManagedBy(mgr, &tenancyv1alpha1.Token{}).
		WithDefaulter(&Identifiers[*tenancyv1alpha1.Token]{IDs: d.IDs}).
		WithValidator(&GroupMember[*tenancyv1alpha1.Token]{lineage: l, Resource: resource("tokens")}).Complete(); err != nil {
		return err
	}
	return ctrl.NewWebhookManagedBy(mgr, &tenancyv1alpha1.Admin{}).
		WithDefaulter(&Identifiers[*tenancyv1alpha1.Admin]{IDs: d.IDs}).
		WithValidator(&GroupMember[*tenancyv1alpha1.Admin]{lineage: l, Resource: resource("admins")}).Complete()
}
