package identity

import (
	"maps"
	"slices"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

func equalAccount(a, b *tenancyv1alpha1.Account) bool {
	return slices.Equal(a.Spec.Roles, b.Spec.Roles) && a.Spec.Profile == b.Spec.Profile && maps.Equal(a.Annotations, b.Annotations)
}
