package integration

import (
	"context"
	"fmt"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest/portal"
)

// portalCall sends a portal request under /api/1 (see luna for body and hdr).
func portalCall(method, path string, c cred, body any, hdr ...string) lunaResp {
	GinkgoHelper()
	return luna(method, portal.Prefix+path, c, body, hdr...)
}

// expectPortalError checks the standard envelope: code = status, the seed's domain and fixed
// message, and details.info; it returns details.info.
func expectPortalError(r lunaResp, status int) string {
	GinkgoHelper()
	Expect(r.Status).To(Equal(status), "body %s", r.Raw)
	Expect(r.Header.Get("Content-Type")).To(Equal("application/json"))
	Expect(r.Body).To(HaveKey("error"), "body %s", r.Raw)
	e := r.Body["error"].(map[string]any)
	Expect(e).To(HaveKeyWithValue("code", BeEquivalentTo(status)))
	Expect(e).To(HaveKeyWithValue("domain", "PlatformAccountServer"))
	Expect(e).To(HaveKeyWithValue("message", portal.Message(status)))
	Expect(e).To(HaveKeyWithValue("context", BeEmpty()))
	Expect(e).To(HaveKey("details"))
	info, _ := e["details"].(map[string]any)["info"].(string)
	Expect(info).NotTo(BeEmpty())
	return info
}

// groupCR is the Group whose portal id is id, read from the API server.
func groupCR(id int64) *tenancyv1alpha1.Group {
	GinkgoHelper()
	list := &tenancyv1alpha1.GroupList{}
	Expect(k8s.List(context.Background(), list)).To(Succeed())
	for i := range list.Items {
		if list.Items[i].Spec.ID == id {
			return &list.Items[i]
		}
	}
	return nil
}

// rootID is the portal id of the root Group.
func rootID() int64 {
	GinkgoHelper()
	root := &tenancyv1alpha1.Group{}
	Expect(k8s.Get(context.Background(), client.ObjectKey{Name: tenancyv1alpha1.RootGroupName}, root)).To(Succeed())
	return root.Spec.ID
}

// createGroup creates a child group through the API as c and returns its id.
func createGroup(c cred, parent int64, name string, kind int) int64 {
	GinkgoHelper()
	r := portalCall("POST", fmt.Sprintf("/groups/%d/children", parent), c, map[string]any{"name": name, "kind": kind})
	Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Raw)
	Expect(r.Body).To(HaveKeyWithValue("version", BeNumerically(">=", 1)))
	Expect(r.Body).To(HaveKeyWithValue("uuid", MatchRegexp(`^[0-9a-f-]{36}$`)))
	return int64(r.Body["id"].(float64))
}

// portalAdmin makes an administrator with access of the group with portal id group (an
// Account with a password and an Admin grant, written as any client would) and returns its
// credentials once the REST server signs it in.
func portalAdmin(group int64, access tenancyv1alpha1.AccessType) cred {
	GinkgoHelper()
	ctx := context.Background()
	g := groupCR(group)
	Expect(g).NotTo(BeNil())
	login := newLogin("portal-admin")
	acct := newAccount(tenancyv1alpha1.GroupNamespace(g.Name), people.PersonAccountName(login), login)
	Eventually(func() error { return people.CreatePerson(ctx, k8s, acct, "Portal-Passw0rd") }, 20*time.Second, 100*time.Millisecond).
		Should(Succeed())
	_, err := people.GrantAdmin(ctx, k8s, acct, access)
	Expect(err).NotTo(HaveOccurred())
	c := basic(login, "Portal-Passw0rd")
	Eventually(func() int { return portalCall("GET", fmt.Sprintf("/groups/%d", group), c, nil).Status }, 20*time.Second, 100*time.Millisecond).
		Should(Equal(http.StatusOK))
	return c
}

// groupVersion is the group's version as GET shows it.
func groupVersion(c cred, id int64) int64 {
	GinkgoHelper()
	r := portalCall("GET", fmt.Sprintf("/groups/%d", id), c, nil)
	Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
	return int64(r.Body["version"].(float64))
}
