package claims

import (
	"context"

	"k8s.io/apimachinery/pkg/types"
)

// live fails with *TakenError when the API server itself holds another live object carrying
// key, for fields whose holders may have no claim: Tokens and Accounts whose tokenID or
// accountID the defaulter generated (see Prover) take none. Such an id becomes known to a client
// only from the create response of its object, which is then stored, so a consistent List by
// the CRD's selectable field finds it: the Lease orders client-chosen values among themselves,
// this list orders them after generated ones. It costs a List on the claim path, which only
// client-chosen ids take.
func (c *Claims) live(ctx context.Context, key Key, holder types.NamespacedName) error {
	if !key.Field.selectable {
		return nil
	}
	return heldIn(ctx, c.Client, key.Field.Path, key, holder)
}
