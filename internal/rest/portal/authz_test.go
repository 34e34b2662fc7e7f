package portal

import (
	"net/http"
	"testing"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/tree"
)

// The route policies: the seed's AllowedTo lists, then the access bits.
func TestPolicies(t *testing.T) {
	const (
		root     = tenancyv1alpha1.RoleRootAdmin
		partner  = tenancyv1alpha1.RolePartnerAdmin
		company  = tenancyv1alpha1.RoleCompanyAdmin
		unit     = tenancyv1alpha1.RoleUnitAdmin
		readonly = tenancyv1alpha1.RoleReadonlyAdmin
	)
	who := func(role tenancyv1alpha1.PortalRole, access tenancyv1alpha1.AccessType) *caller {
		return &caller{role: role, access: access}
	}
	for _, tc := range []struct {
		name   string
		p      policy
		c      *caller
		admits bool
	}{
		{"readers: readonly", readers, who(readonly, 1), true},
		{"readers: service user", readers, who("", 0), false},
		{"any caller: service user", anyCaller, who("", 0), true},
		{"writers: unit with write", writers, who(unit, 5), true},
		{"writers: readonly", writers, who(readonly, 1), false},
		{"writers: company with branding only", writers, who(company, 2), false},
		{"deleters: unit", deleters, who(unit, 15), false},
		{"deleters: company", deleters, who(company, 15), true},
		{"partners: company", partners, who(company, 15), false},
		{"partners: partner", partners, who(partner, 5), true},
		{"branders: partner with branding", branders, who(partner, 2), true},
		{"branders: partner with read-write", branders, who(partner, 5), false},
		{"roots: partner", roots, who(partner, 15), false},
		{"roots: root", roots, who(root, 15), true},
	} {
		err := tc.p.admits(tc.c)
		if (err == nil) != tc.admits {
			t.Errorf("%s: admits = %v, want %v", tc.name, err, tc.admits)
		}
		if e, ok := err.(*apiError); err != nil && (!ok || e.Status != http.StatusForbidden) {
			t.Errorf("%s: %v, want a 403", tc.name, err)
		}
	}
}

// A caller acts in its own Group's subtree only.
func TestScope(t *testing.T) {
	f := &tree.Forest{}
	f.Set(tree.Node{Name: "root"})
	f.Set(tree.Node{Name: "acme", Parent: "root"})
	f.Set(tree.Node{Name: "dept", Parent: "acme"})
	f.Set(tree.Node{Name: "beta", Parent: "root"})
	c := &caller{home: "acme", forest: f}
	group := func(name string) *tenancyv1alpha1.Group {
		g := &tenancyv1alpha1.Group{}
		g.Name = name
		return g
	}
	for name, want := range map[string]bool{"acme": true, "dept": true, "root": false, "beta": false, "nowhere": false} {
		if err := c.scoped(group(name)); (err == nil) != want {
			t.Errorf("scoped(%s) = %v, want in scope %v", name, err, want)
		}
	}
}
