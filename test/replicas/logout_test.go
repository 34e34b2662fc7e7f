package replicas

import (
	"fmt"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// sessionAPI is one API that signs people in and out, seen through the calls this test needs.
type sessionAPI struct {
	name string
	// signIn returns a new session token from replica base.
	signIn func(base string) string
	// use is the status of one authenticated request with tok at base.
	use func(base, tok string) int
	// signOut is the status of signing tok out at base.
	signOut func(base, tok string) int
}

var sessionAPIs = []sessionAPI{
	{
		name: "ote-stack",
		signIn: func(base string) string {
			GinkgoHelper()
			status, out := mustCall(base, "POST", "/v1/authorization", map[string]any{"user": adminLogin, "password": adminPassword})
			Expect(status).To(Equal(http.StatusOK), "body %v", out)
			return out["token"].(string)
		},
		use: func(base, tok string) int {
			status, _ := mustCall(base, "GET", "/v1/authorization", nil, "Authorization", tok)
			return status
		},
		signOut: func(base, tok string) int {
			status, _ := mustCall(base, "DELETE", "/v1/authorization", nil, "Authorization", tok)
			return status
		},
	},
	{
		name: "identity",
		signIn: func(base string) string {
			GinkgoHelper()
			status, out := mustCall(base, "POST", "/api/v0.1.0/access_token", map[string]any{"email": adminLogin, "password": adminPassword})
			Expect(status).To(Equal(http.StatusOK), "body %v", out)
			return out["access_token"].(string)
		},
		use: func(base, tok string) int {
			status, _ := mustCall(base, "PUT", "/api/v0.1.0/access_token", map[string]any{"access_token": tok})
			return status
		},
		signOut: func(base, tok string) int {
			status, _ := mustCall(base, "DELETE", "/api/v0.1.0/access_token", nil, "Authorization", "Bearer "+tok)
			return status
		},
	},
}

var _ = Describe("Sign-out across replicas", func() {
	// The very next request after a sign-out, on the other replica, is refused: no retry, no
	// wait for its watch. Repeated, because a lagging watch loses a race only now and then.
	const rounds = 25

	It("refuses on one replica a session signed out on the other, at once", func() {
		accepted := map[string]int{}
		for range rounds {
			for _, api := range sessionAPIs {
				for _, pair := range [][2]*replica{{a, b}, {b, a}} {
					x, y := pair[0], pair[1]
					tok := api.signIn(x.restURL)
					Expect(api.use(y.restURL, tok)).To(Equal(http.StatusOK), "%s: a session from %s on %s", api.name, x.name, y.name)
					Expect(api.signOut(x.restURL, tok)).To(Equal(http.StatusOK))
					if api.use(y.restURL, tok) != http.StatusUnauthorized {
						accepted[fmt.Sprintf("%s, out on %s, used on %s", api.name, x.name, y.name)]++
					}
					Expect(api.use(x.restURL, tok)).To(Equal(http.StatusUnauthorized))
				}
			}
		}
		AddReportEntry("sign-out", fmt.Sprintf("%d sign-outs per API and direction; revoked sessions accepted by the other replica: %v", rounds, accepted))
		Expect(accepted).To(BeEmpty(), "revoked sessions accepted by the other replica")
	})
})
