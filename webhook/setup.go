package webhook

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/claims"
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
	// Claims keeps logins, UUIDs, integer ids and e-mail logins unique.
	Claims *claims.Claims
}

// Setup registers every Tessera webhook with the manager's webhook server.
func Setup(mgr ctrl.Manager, d Deps) error {
	l := lineage{forest: d.Forest, cache: d.Cache, direct: d.Direct}
	resource := func(plural string) schema.GroupResource {
		return tenancyv1alpha1.GroupVersion.WithResource(plural).GroupResource()
	}
	if err := ctrl.NewWebhookManagedBy(mgr, &tenancyv1alpha1.Group{}).
		WithDefaulter(&Identifiers[*tenancyv1alpha1.Group]{IDs: d.IDs, Claims: d.Claims}).
		WithValidator(&GroupValidator{lineage: l, Claims: d.Claims}).Complete(); err != nil {
		return err
	}
	// One proof key for the process: the defaulter that vouches and the validator that checks.
	proofs := claims.NewProver()
	if err := ctrl.NewWebhookManagedBy(mgr, &tenancyv1alpha1.Account{}).
		WithDefaulter(&AccountDefaulter{Identifiers: Identifiers[*tenancyv1alpha1.Account]{IDs: d.IDs, Claims: d.Claims}, Proofs: proofs}).
		WithValidator(&GroupMember[*tenancyv1alpha1.Account]{lineage: l, Claims: d.Claims,
			Resource: resource("accounts"), Proofs: proofs}).Complete(); err != nil {
		return err
	}
	tokens := &GroupMember[*tenancyv1alpha1.Token]{lineage: l, Claims: d.Claims, Resource: resource("tokens"), Proofs: proofs}
	if err := ctrl.NewWebhookManagedBy(mgr, &tenancyv1alpha1.Token{}).
		WithDefaulter(&TokenDefaulter{Identifiers: Identifiers[*tenancyv1alpha1.Token]{IDs: d.IDs}, Member: tokens}).
		WithValidator(tokens).Complete(); err != nil {
		return err
	}
	return ctrl.NewWebhookManagedBy(mgr, &tenancyv1alpha1.Admin{}).
		WithDefaulter(&Identifiers[*tenancyv1alpha1.Admin]{IDs: d.IDs, Claims: d.Claims}).
		WithValidator(&GroupMember[*tenancyv1alpha1.Admin]{lineage: l, Claims: d.Claims, Resource: resource("admins")}).Complete()
}
