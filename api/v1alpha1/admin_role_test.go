package v1alpha1

import "testing"

func TestAdminRole(t *testing.T) {
	for _, tc := range []struct {
		kind   GroupKind
		access AccessType
		want   PortalRole
	}{
		{0, 15, RoleRootAdmin},
		{0, 1, RoleReadonlyAdmin},
		{10, 15, RolePartnerAdmin},
		{20, 5, RolePartnerAdmin},
		{21, 9, RolePartnerAdmin},
		{30, 2, RolePartnerAdmin},
		{31, 16, RolePartnerAdmin},
		{40, 15, RoleCompanyAdmin},
		{40, 1, RoleReadonlyAdmin},
		{50, 3, RoleUnitAdmin},
	} {
		if got, ok := AdminRole(tc.kind, tc.access); !ok || got != tc.want {
			t.Errorf("AdminRole(%d, %d) = %s, %v; want %s", tc.kind, tc.access, got, ok, tc.want)
		}
	}
	if _, ok := AdminRole(99, 15); ok {
		t.Error("an unknown kind got a role")
	}
}

func TestGroupAdminRole(t *testing.T) {
	if got, _ := GroupAdminRole(RootGroupName, GroupKindRoot, AccessFull); got != RoleRootAdmin {
		t.Errorf("the root Group's admin is %s, want root_admin", got)
	}
	if got, _ := GroupAdminRole("nested", GroupKindRoot, AccessFull); got != RolePartnerAdmin {
		t.Errorf("a kind-0 Group below the root makes %s, want partner_admin", got)
	}
	if got, _ := GroupAdminRole("nested", GroupKindRoot, AccessRead); got != RoleReadonlyAdmin {
		t.Errorf("read-only access below the root makes %s, want readonly_admin", got)
	}
	if got, _ := GroupAdminRole("acme", GroupKindEndUserCompany, AccessFull); got != RoleCompanyAdmin {
		t.Errorf("a company's admin is %s, want company_admin", got)
	}
}
