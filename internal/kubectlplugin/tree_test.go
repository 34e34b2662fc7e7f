package kubectlplugin

import (
	"bytes"
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// Groups that admission would refuse can still exist after an outage; the tree shows each of
// them once, at the top, with its problem, instead of hiding it or looping.
func TestTreeShowsOrphansAndCycles(t *testing.T) {
	group := func(name, parent string, kind tenancyv1alpha1.GroupKind) client.Object {
		return &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: tenancyv1alpha1.GroupSpec{Parent: parent, Kind: kind}}
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(
		group("root", "", tenancyv1alpha1.GroupKindRoot),
		group("acme", "root", tenancyv1alpha1.GroupKindEndUserCompany),
		group("lost", "gone", tenancyv1alpha1.GroupKindEndUserCompany),
		group("x", "y", tenancyv1alpha1.GroupKindCompanyDepartment),
		group("y", "x", tenancyv1alpha1.GroupKindCompanyDepartment),
	).Build()
	tr, err := buildTree(context.Background(), c, "")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := writeTreeTable(&out, tr); err != nil {
		t.Fatal(err)
	}
	want := `GROUP                                     KIND                LOCK   READY     ACCOUNTS   TOKENS   ADMINS
root                                      Root                -      Unknown   0          0        0
└── acme                                  EndUserCompany      -      Unknown   0          0        0
lost [parent Group gone does not exist]   EndUserCompany      -      Unknown   0          0        0
x [cycle: x → y → x]                      CompanyDepartment   -      Unknown   0          0        0
└── y [cycle: y → x → y]                  CompanyDepartment   -      Unknown   0          0        0
`
	if out.String() != want {
		t.Errorf("tree:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestDecodeJWT(t *testing.T) {
	d, err := decodeJWT("eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJ6IjoxLCJhIjpudWxsfQ.c2ln\n")
	if err != nil {
		t.Fatal(err)
	}
	// The token's own key order survives (z before a).
	if string(d.Header) != `{"alg":"ES256","kid":"k1"}` || string(d.Claims) != `{"z":1,"a":null}` {
		t.Errorf("decoded %s %s", d.Header, d.Claims)
	}
	for _, bad := range []string{"", "a.b", "!!.e30.x", "e30.WzFd.x"} {
		if _, err := decodeJWT(bad); err == nil {
			t.Errorf("decodeJWT(%q) succeeded", bad)
		}
	}
}
