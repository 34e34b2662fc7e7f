package principal

import (
	"context"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/tree"
)

// Directory is where a Principal reads what its credential does not carry: the Admin grants
// (from the cache, through the index.AdminAccount field index) and the tenant tree. Verifying a
// credential never reads it; the first question about grants does, once per request.
type Directory struct {
	Reader client.Reader
	Forest *tree.Forest
}

// In attaches the directory the Principal's grants are read from, and returns p.
func (p *Principal) In(d *Directory) *Principal {
	p.dir = d
	return p
}

// Grant is an Admin that makes the Account an administrator of Group and its subtree.
type Grant struct {
	// Admin is the cache's object: never modify it.
	Admin *tenancyv1alpha1.Admin
	Group string
}

// Grants returns the Account's live Admin grants. An Admin names an Account of its own
// namespace, so every grant is on the Account's own Group.
func (p *Principal) Grants(ctx context.Context) ([]Grant, error) {
	p.once.Do(func() { p.grants, p.err = p.loadGrants(ctx) })
	return p.grants, p.err
}

func (p *Principal) loadGrants(ctx context.Context) ([]Grant, error) {
	if p.dir == nil || p.dir.Reader == nil {
		return nil, nil
	}
	list := &tenancyv1alpha1.AdminList{}
	if err := p.dir.Reader.List(ctx, list, client.InNamespace(p.Account.Namespace),
		client.MatchingFields{index.AdminAccount: p.Account.Name}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, err
	}
	var out []Grant
	for i := range list.Items {
		if adm := &list.Items[i]; adm.DeletionTimestamp == nil && adm.Spec.AccountRef.Name == p.Account.Name {
			out = append(out, Grant{Admin: adm, Group: p.Group()})
		}
	}
	return out, nil
}

// GrantOn returns a grant that covers group — one on group itself or on an ancestor of it —
// or nil.
func (p *Principal) GrantOn(ctx context.Context, group string) (*Grant, error) {
	grants, err := p.Grants(ctx)
	if err != nil {
		return nil, err
	}
	for i := range grants {
		g := &grants[i]
		if g.Group == group || p.dir.Forest != nil && p.dir.Forest.IsAncestor(g.Group, group) {
			return g, nil
		}
	}
	return nil, nil
}

// IsSystemAdmin reports an Admin grant on the root Group.
func (p *Principal) IsSystemAdmin(ctx context.Context) (bool, error) {
	g, err := p.GrantOn(ctx, tenancyv1alpha1.RootGroupName)
	return g != nil, err
}
