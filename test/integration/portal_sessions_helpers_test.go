package integration

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest/portal"
)

const personPassword = "Portal-Passw0rd"

// person is an Account made for a spec: its login, the Account and its Admin grant (nil for a
// service user).
type person struct {
	login string
	acct  *tenancyv1alpha1.Account
	admin *tenancyv1alpha1.Admin
}

func (p person) basic() cred { return basic(p.login, personPassword) }

// portalPerson creates an Account with an e-mail address in the group with portal id group,
// with an Admin grant of access (none when 0), and waits until the REST server signs it in
// with its grant.
func portalPerson(group int64, access tenancyv1alpha1.AccessType) person {
	GinkgoHelper()
	ctx := context.Background()
	g := groupCR(group)
	Expect(g).NotTo(BeNil())
	login := newLogin("portal-person")
	acct := newAccount(tenancyv1alpha1.GroupNamespace(g.Name), people.PersonAccountName(login), login)
	acct.Spec.Profile = tenancyv1alpha1.AccountProfile{FirstName: "Pat", LastName: "Portal", Email: login}
	Eventually(func() error { return people.CreatePerson(ctx, k8s, acct, personPassword) }, 20*time.Second, 100*time.Millisecond).
		Should(Succeed())
	p := person{login: login, acct: acct}
	if access == 0 {
		Eventually(func() error { _, err := op.Verifier.VerifyPassword(ctx, login, personPassword); return err },
			20*time.Second, 100*time.Millisecond).Should(Succeed())
		return p
	}
	adm, err := people.GrantAdmin(ctx, k8s, acct, access)
	Expect(err).NotTo(HaveOccurred())
	p.admin = adm
	Eventually(func() int { return portalCall("GET", fmt.Sprintf("/groups/%d", group), p.basic(), nil).Status },
		20*time.Second, 100*time.Millisecond).Should(Equal(http.StatusOK))
	return p
}

// signIn signs p in with POST /login (extra fields go into the body) and returns the answer
// and its SESSION cookie.
func signIn(login string, extra map[string]any, hdr ...string) (lunaResp, *http.Cookie) {
	GinkgoHelper()
	body := map[string]any{"username": login, "password": personPassword}
	maps.Copy(body, extra)
	r := portalCall("POST", "/login", anon, body, hdr...)
	return r, sessionCookie(r)
}

// sessionCookie is the SESSION cookie an answer sets, or nil.
func sessionCookie(r lunaResp) *http.Cookie {
	for _, line := range r.Header.Values("Set-Cookie") {
		if c, err := http.ParseSetCookie(line); err == nil && c.Name == portal.SessionCookie {
			return c
		}
	}
	return nil
}

// withCookie is the header that sends c back.
func withCookie(c *http.Cookie) []string {
	GinkgoHelper()
	Expect(c).NotTo(BeNil())
	return []string{"Cookie", portal.SessionCookie + "=" + c.Value}
}

// expectAddressRefused checks the seed's non-envelope 403 of an IP allow-list refusing the
// test client, the loopback peer.
func expectAddressRefused(r lunaResp) {
	GinkgoHelper()
	const ip = "127.0.0.1"
	Expect(r.Status).To(Equal(http.StatusForbidden), "body %s", r.Raw)
	Expect(r.Body).To(Equal(map[string]any{"client_ip": ip,
		"message": "access from your IP '" + ip + "' address is not allowed"}))
}

// liveAdmin reads an Admin back from the API server.
func liveAdmin(adm *tenancyv1alpha1.Admin) *tenancyv1alpha1.Admin {
	GinkgoHelper()
	got := &tenancyv1alpha1.Admin{}
	Expect(k8s.Get(context.Background(), client.ObjectKeyFromObject(adm), got)).To(Succeed())
	return got
}
