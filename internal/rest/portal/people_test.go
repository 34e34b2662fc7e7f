package portal

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/principal"
)

func TestScopeParam(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  []string
		ok    bool
	}{
		{"", []string{}, true},
		{"scope=", []string{}, true},
		{"scope=" + url.QueryEscape(" SomeScope1, SomeScope2 ,,SomeScope1"), []string{"SomeScope1", "SomeScope2"}, true},
		{"scope=a&scope=b", nil, false},
		{"scope=" + url.QueryEscape("has space"), nil, false},
		{"scope=" + strings.Repeat("x", maxScopeLength+1), nil, false},
		{"scope=" + manyScopes(maxScopes), nil, true},
		{"scope=" + manyScopes(maxScopes+1), nil, false},
	} {
		got, err := scopeParam(httptest.NewRequest("GET", "/admins/1/jwt?"+tc.query, nil))
		if (err == nil) != tc.ok || tc.ok && tc.want != nil && !slices.Equal(got, tc.want) {
			t.Errorf("scope %q: %v, %v; want %v (ok %v)", tc.query, got, err, tc.want, tc.ok)
		}
	}
}

func manyScopes(n int) string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprint("scope", i)
	}
	return strings.Join(s, ",")
}

func status(err error) int {
	if e, ok := errors.AsType[*apiError](err); ok {
		return e.Status
	}
	return 0
}

// Nobody but a root admin grants access bits it lacks; keeping bits is not granting them.
func TestCheckAccess(t *testing.T) {
	partner := &caller{role: tenancyv1alpha1.RolePartnerAdmin, access: 5}
	root := &caller{role: tenancyv1alpha1.RoleRootAdmin, access: 15}
	set := func(v int32) opt[int32] { return opt[int32]{Set: true, V: v} }
	for _, tc := range []struct {
		c           *caller
		access, old tenancyv1alpha1.AccessType
		status      int
	}{
		{partner, 5, 0, 0}, {partner, 1, 0, 0}, {partner, 15, 0, http.StatusForbidden}, {partner, 7, 15, 0},
		{partner, 16, 15, http.StatusForbidden}, {root, 31, 0, 0}, {root, 0, 0, http.StatusBadRequest},
		{root, 32, 0, http.StatusBadRequest},
	} {
		if got := status(checkAccess(tc.c, set(int32(tc.access)), tc.access, tc.old)); got != tc.status {
			t.Errorf("%s (%d) sets %d over %d: status %d, want %d", tc.c.role, tc.c.access, tc.access, tc.old, got, tc.status)
		}
	}
}

func TestAccountStatus(t *testing.T) {
	acct := &tenancyv1alpha1.Account{}
	if s := accountStatus(acct); s != statusInactive {
		t.Errorf("an account without a password: %d", s)
	}
	acct.Annotations = map[string]string{tenancyv1alpha1.AnnotationInitialPasswordFingerprint: "f"}
	if s := accountStatus(acct); s != statusEnabled {
		t.Errorf("an account created with a password: %d", s)
	}
	acct.Spec.Disabled = true
	if s := accountStatus(acct); s != statusDisabled {
		t.Errorf("a disabled account: %d", s)
	}
}

// Admins of one group are peers: a JWT for another needs a strict ancestor, except that a root
// admin impersonates anyone; write access always.
func TestMayIssueForAdmin(t *testing.T) {
	ns := tenancyv1alpha1.GroupNamespace
	target := &person{Account: &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns("acme"), Name: "t"}},
		Admin: &tenancyv1alpha1.Admin{}, Group: &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "acme"}}}
	who := func(home, name string, role tenancyv1alpha1.PortalRole, access tenancyv1alpha1.AccessType) *caller {
		acct := &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns(home), Name: name}}
		return &caller{Principal: &principal.Principal{Account: acct}, home: home, role: role, access: access}
	}
	for _, tc := range []struct {
		name        string
		c           *caller
		impersonate bool
		ok          bool
	}{
		{"self", who("acme", "t", tenancyv1alpha1.RoleReadonlyAdmin, 1), false, true},
		{"self impersonating", who("acme", "t", tenancyv1alpha1.RoleCompanyAdmin, 15), true, false},
		{"peer", who("acme", "p", tenancyv1alpha1.RoleCompanyAdmin, 15), false, false},
		{"above", who("partner", "p", tenancyv1alpha1.RolePartnerAdmin, 5), false, true},
		{"above, impersonating", who("partner", "p", tenancyv1alpha1.RolePartnerAdmin, 5), true, true},
		{"above, read-only", who("partner", "p", tenancyv1alpha1.RoleReadonlyAdmin, 1), false, false},
		{"root peer, impersonating", who("acme", "r", tenancyv1alpha1.RoleRootAdmin, 15), true, true},
		{"root, branding only", who("root", "r", tenancyv1alpha1.RoleRootAdmin, 2), true, false},
	} {
		if err := mayIssueForAdmin(tc.c, target, tc.impersonate); (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}

// A portal JWT naming no Admin acts with no grant; one naming a grant that is gone fails.
func TestActingGrants(t *testing.T) {
	acct := &tenancyv1alpha1.Account{}
	userTok := &principal.Principal{Account: acct, Credential: principal.Session,
		Session: &jwt.SessionClaims{Audience: jwt.AudiencePortal, Portal: &jwt.PortalClaims{Login: "u"}}}
	if g, err := actingGrants(t.Context(), userTok); g != nil || err != nil {
		t.Errorf("a user's token: %v, %v", g, err)
	}
	adminTok := &principal.Principal{Account: acct, Credential: principal.Session,
		Session: &jwt.SessionClaims{Audience: jwt.AudiencePortal, Portal: &jwt.PortalClaims{Login: "a", AdminID: 7}}}
	if _, err := actingGrants(t.Context(), adminTok); status(err) != http.StatusUnauthorized {
		t.Errorf("a token of a grant gone: %v", err)
	}
}

// The users' usage and privileges objects carry every key, sorted as a map's would be.
func TestUserObjects(t *testing.T) {
	raw, err := json.Marshal(map[string]any{"usage": userUsage, "privileges": userPrivileges(map[string]int64{"quota_vms_hard": 3})})
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Usage, Privileges map[string]int64 }
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Usage) != len(usageKeys) || got.Usage["storage_size"] != 0 {
		t.Errorf("usage %v", got.Usage)
	}
	if len(got.Privileges) != len(privilegeDefaults)+1 || got.Privileges["quota_vms_hard"] != 3 ||
		got.Privileges["quota_servers_hard"] != -1 || got.Privileges[localBackupKey] != 1 {
		t.Errorf("privileges %v", got.Privileges)
	}
	if d, _ := json.Marshal(defaultUserPrivileges); !strings.Contains(string(d), `"cloud_to_cloud_backup":0,"local_backup":1`) {
		t.Errorf("keys are not sorted: %s", d)
	}
}
