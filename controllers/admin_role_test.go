package controllers

import (
	"testing"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

func TestAdminRole(t *testing.T) {
	for _, tc := range []struct {
		kind   tenancyv1alpha1.GroupKind
		access tenancyv1alpha1.AccessType
		want   tenancyv1alpha1.PortalRole
	}{
		{0, 15, tenancyv1alpha1.RoleRootAdmin},
		{0, 1, tenancyv1alpha1.RoleReadonlyAdmin},
		{10, 15, tenancyv1alpha1.RolePartnerAdmin},
		{20, 5, tenancyv1alpha1.RolePartnerAdmin},
		{21, 9, tenancyv1alpha1.RolePartnerAdmin},
		{30, 2, tenancyv1alpha1.RolePartnerAdmin},
		{31, 16, tenancyv1alpha1.RolePartnerAdmin},
		{40, 15, tenancyv1alpha1.RoleCompanyAdmin},
		{40, 1, tenancyv1alpha1.RoleReadonlyAdmin},
		{50, 3, tenancyv1alpha1.RoleUnitAdmin},
	} {
		if got, ok := AdminRole(tc.kind, tc.access); !ok || got != tc.want {
			t.Errorf("AdminRole(%d, %d) = %s, %v; want %s", tc.kind, tc.access, got, ok, tc.want)
		}
	}
	if _, ok := AdminRole(99, 15); ok {
		t.Error("an unknown kind got a role")
	}
}
