package principal

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/tree"
)

// countingReader counts List calls, to show grants are read once and only when asked.
type countingReader struct {
	client.Reader
	lists int
}

func (c *countingReader) List(ctx context.Context, l client.ObjectList, opts ...client.ListOption) error {
	c.lists++
	return c.Reader.List(ctx, l, opts...)
}

func account(group, name string, typ tenancyv1alpha1.AccountType) *tenancyv1alpha1.Account {
	return &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: tenancyv1alpha1.GroupNamespace(group), Name: name},
		Spec: tenancyv1alpha1.AccountSpec{Type: typ}}
}

func admin(group, name, acct string) *tenancyv1alpha1.Admin {
	return &tenancyv1alpha1.Admin{ObjectMeta: metav1.ObjectMeta{Namespace: tenancyv1alpha1.GroupNamespace(group), Name: name},
		Spec: tenancyv1alpha1.AdminSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: acct}}}
}

func directory(t *testing.T, objs ...client.Object) (*Directory, *countingReader) {
	t.Helper()
	s := runtime.NewScheme()
	if err := tenancyv1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(s).WithObjects(objs...).
		WithIndex(&tenancyv1alpha1.Admin{}, index.AdminAccount, func(o client.Object) []string {
			return []string{o.(*tenancyv1alpha1.Admin).Spec.AccountRef.Name}
		}).Build()
	f := &tree.Forest{}
	f.Set(tree.Node{Name: "root"})
	f.Set(tree.Node{Name: "acme", Parent: "root"})
	f.Set(tree.Node{Name: "dept", Parent: "acme"})
	r := &countingReader{Reader: c}
	return &Directory{Reader: r, Forest: f}, r
}

func TestGrantsAreReadOnceWhenAsked(t *testing.T) {
	ctx := context.Background()
	d, r := directory(t, admin("acme", "boss-admin", "boss"), admin("acme", "other-admin", "other"),
		admin("root", "sys-admin", "sys"))
	boss := (&Principal{Account: account("acme", "boss", ""), Credential: Password}).In(d)
	if r.lists != 0 {
		t.Fatal("attaching a directory must not read")
	}
	for _, tc := range []struct {
		group string
		want  bool
	}{{"acme", true}, {"dept", true}, {"root", false}} {
		g, err := boss.GrantOn(ctx, tc.group)
		if err != nil || (g != nil) != tc.want {
			t.Fatalf("GrantOn(%s) = %v, %v; want %v", tc.group, g, err, tc.want)
		}
		if g != nil && (g.Admin.Name != "boss-admin" || g.Group != "acme") {
			t.Fatalf("grant %+v", g)
		}
	}
	if sys, _ := boss.IsSystemAdmin(ctx); sys {
		t.Fatal("an acme admin is no system admin")
	}
	if r.lists != 1 {
		t.Fatalf("%d reads, want 1", r.lists)
	}
	sys := (&Principal{Account: account("root", "sys", "")}).In(d)
	if ok, err := sys.IsSystemAdmin(ctx); !ok || err != nil {
		t.Fatalf("root admin: %v %v", ok, err)
	}
	if g, _ := sys.GrantOn(ctx, "dept"); g == nil {
		t.Fatal("a root grant covers the whole tree")
	}
	nobody := (&Principal{Account: account("acme", "nobody", "")}).In(d)
	if g, err := nobody.Grants(ctx); len(g) != 0 || err != nil {
		t.Fatalf("grants %v %v", g, err)
	}
}

func TestCredentialQuestions(t *testing.T) {
	me := account("acme", "me", "")
	tok := &tenancyv1alpha1.Token{}
	tok.Spec.Permissions.Token = []tenancyv1alpha1.CRUDVerb{"view"}
	bearer := &Principal{Account: me, Credential: LunaToken, Token: tok, Claims: &jwt.Claims{}}
	basic := &Principal{Account: account("acme", "adm", tenancyv1alpha1.AccountTypeAdmin), Credential: Password}
	session := &Principal{Account: me, Credential: Session, Session: &jwt.SessionClaims{Audience: jwt.AudienceOTE}}

	if !bearer.IsSelf(account("acme", "me", "admin")) || bearer.IsSelf(account("beta", "me", "")) {
		t.Fatal("IsSelf compares namespace and name")
	}
	if !bearer.IsAccountType(tenancyv1alpha1.AccountTypeUser) || !basic.IsAccountType(tenancyv1alpha1.AccountTypeAdmin) {
		t.Fatal("an unset type is a user")
	}
	if !bearer.IsToken() || basic.IsToken() || session.IsToken() {
		t.Fatal("IsToken")
	}
	if !bearer.TokenVerb("view") || bearer.TokenVerb("deletion") || !basic.TokenVerb("deletion") {
		t.Fatal("TokenVerb gates only tokens")
	}
	if !bearer.VisibilityAll() || basic.VisibilityAll() {
		t.Fatal("an unset visibility_area is all; only tokens have one")
	}
	tok.Spec.VisibilityArea = "account"
	if bearer.VisibilityAll() {
		t.Fatal("visibility_area account")
	}
	if session.Audience() != jwt.AudienceOTE || basic.Audience() != "" || session.Group() != "acme" {
		t.Fatal("Audience, Group")
	}
	if g, err := basic.Grants(context.Background()); g != nil || err != nil {
		t.Fatal("without a directory there are no grants")
	}
}
