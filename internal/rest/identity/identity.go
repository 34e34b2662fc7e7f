// Package identity serves the identity API (seed 004) under /api/vX.Y.Z/ for any version
// X.Y.Z ≥ 0.1.0, over Tessera's Accounts: a user is an Account (its id is spec.accountID, its
// nick name the login), and access tokens are short-lived session JWTs (verify.Sessions).
package identity

import (
	"context"
	_ "embed"
	"net/http"
	"strings"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/verify"
)

// Field indexes this API adds to the manager's cache, for sign-in by e-mail or nick name.
const (
	IndexEmail    = "spec.profile.email"
	IndexNickName = "spec.profile.nickName"
)

// Annotations for the identity API's fields the Account spec has no place for.
const (
	AnnotationSurName  = "identity.tessera.dev/sur-name"
	AnnotationProjects = "identity.tessera.dev/projects"
)

// TokenTTL is how long an access token lives.
const TokenTTL = time.Hour

//go:embed openapi.yaml
var openAPI []byte

// SetupIndexes registers the e-mail and nick-name indexes; call it before the manager starts.
func SetupIndexes(ctx context.Context, fi client.FieldIndexer) error {
	if err := fi.IndexField(ctx, &tenancyv1alpha1.Account{}, IndexEmail, func(o client.Object) []string {
		if e := o.(*tenancyv1alpha1.Account).Spec.Profile.Email; e != "" {
			return []string{strings.ToLower(e)}
		}
		return nil
	}); err != nil {
		return err
	}
	return fi.IndexField(ctx, &tenancyv1alpha1.Account{}, IndexNickName, func(o client.Object) []string {
		if n := o.(*tenancyv1alpha1.Account).Spec.Profile.NickName; n != "" {
			return []string{n}
		}
		return nil
	})
}

// API is the identity handler set.
type API struct {
	Auth     *rest.Authenticator
	Sessions *verify.Sessions
	// Client is the manager's client: reads from the cache (with SetupIndexes' indexes),
	// writes to the API server.
	Client client.Client
	// Namespace receives registrations; empty means the root Group's.
	Namespace string
	// RequireApproval makes registrations wait, pending, for an ote-stack system administrator
	// (PUT /v1/admin/user/{id}); by default they are approved, as the identity API has no
	// approval step.
	RequireApproval bool
	// Foreign is the error writer of paths that reach identity's patterns but are another
	// API's (/api/1/…, the portal's): the shared Router's WriterFor. Nil answers them as plain
	// JSON problems.
	Foreign func(path string) rest.ErrorWriter
}

// byIndex returns the first Account not being deleted whose field index holds value, or nil.
func (a *API) byIndex(ctx context.Context, field, value string) (*tenancyv1alpha1.Account, error) {
	return people.ByIndex[*tenancyv1alpha1.Account](ctx, a.Client, field, value)
}

// ping echoes the version of the path: every version behaves alike.
func ping(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"pong": "API version " + strings.TrimPrefix(r.PathValue("version"), "v")})
	return nil
}

func docsSpec(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(openAPI)
	return nil
}
