package operator

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"k8s.io/client-go/discovery"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/tessera-dev/tessera/internal/jwt"
	"github.com/tessera-dev/tessera/internal/keys"
	"github.com/tessera-dev/tessera/internal/listindex"
	"github.com/tessera-dev/tessera/internal/notify"
	restserver "github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/rest/identity"
	"github.com/tessera-dev/tessera/internal/rest/luna"
	"github.com/tessera-dev/tessera/internal/rest/ote"
	"github.com/tessera-dev/tessera/internal/rest/portal"
	"github.com/tessera-dev/tessera/internal/verify"
)

// newRESTHandler mounts every documented API on one mux behind the shared middleware.
// o's Issuer, Namespace, OutboxDir (where the portal's e-mails go in local mode; "" sends
// them) and TrustedProxies shape it; ready gates /healthcheck (nil once Tessera serves what it announces).
func newRESTHandler(mgr ctrl.Manager, o Options, keyStore *keys.Store, verifier *verify.Verifier, lists *listindex.Lists,
	ready func(context.Context) error) (http.Handler, error) {
	auth := restserver.NewAuthenticator(verifier)
	dc, err := discovery.NewDiscoveryClientForConfig(mgr.GetConfig())
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	// Every API answers in its own envelope, also where the mux would answer in plain text (no
	// route, a wrong method) and for panics. Paths no API claims answer as Luna does: the
	// listener is Luna's (/version, /healthcheck at the root).
	router := restserver.NewRouter(mux, luna.WriteError)
	changes, err := notify.TokenChanges(context.Background(), mgr.GetCache())
	if err != nil {
		return nil, err
	}
	(&luna.API{Auth: auth, Client: mgr.GetClient(), Lists: lists, Verifier: verifier, Config: luna.BaseConfig(o.Issuer), Ready: ready, Changes: changes, Health: []luna.HealthCheck{
		{Component: "kubernetes_api_server", Check: func(ctx context.Context) error {
			return dc.RESTClient().Get().AbsPath("/readyz").Do(ctx).Error()
		}},
		{Component: "informer_cache", Check: func(ctx context.Context) error {
			if !mgr.GetCache().WaitForCacheSync(ctx) {
				return errors.New("the informer caches have not synced")
			}
			return nil
		}},
		{Component: "signing_keys", Check: func(context.Context) error { return keyStore.Check(nil) }},
	}}).Register(mux)

	// ote-stack (seed 003) under /v1/ and the identity API (seed 004) under /api/vX.Y.Z/: their
	// sign-ins are session JWTs, revoked through one watched ConfigMap in the operator namespace.
	revocations, err := verify.NewSessionRevocations(mgr, o.Namespace)
	if err != nil {
		return nil, err
	}
	sessions := &verify.Sessions{Verifier: verifier, Revocations: revocations}
	if err := identity.SetupIndexes(context.Background(), mgr.GetFieldIndexer()); err != nil {
		return nil, err
	}
	if err := portal.SetupIndexes(context.Background(), mgr.GetFieldIndexer()); err != nil {
		return nil, err
	}
	auth.Sessions = sessions
	(&ote.API{Auth: auth, Sessions: sessions, Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Forest: verifier.Forest}).Register(mux)
	(&identity.API{Auth: auth, Sessions: sessions, Client: mgr.GetClient(), Foreign: router.WriterFor}).Register(mux)
	// The portal (seed 002) under /api/1/, beside identity's /api/{version}/ patterns.
	(&portal.API{Auth: auth, Client: mgr.GetClient(), Forest: verifier.Forest, Members: lists.Members, Outbox: o.OutboxDir, ServerURL: o.Issuer,
		TrustedProxies: o.TrustedProxies}).Register(mux)

	// Public keys and discovery, so that anyone can verify Tessera's tokens offline.
	mux.HandleFunc("GET /.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		set := keyStore.Load()
		if set == nil {
			restserver.WriteJSONError(w, r, &restserver.Problem{Kind: restserver.KindUnavailable,
				Message: "the signing keys are not loaded yet", RetryAfter: time.Second})
			return
		}
		writeJSON(w, set.JWKS())
	})
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, jwt.Discovery(o.Issuer))
	})
	metrics := restserver.NewMetrics()
	mux.Handle("GET /metrics", metrics.Handler())
	router.Dialect(luna.WriteError, "/1/", "/version", "/healthcheck")
	router.Dialect(ote.WriteError, "/v1/")
	router.Dialect(identity.WriteError, "/api/v")
	router.Dialect(portal.WriteError, portal.Prefix+"/")
	router.Dialect(restserver.WriteJSONError, "/.well-known/", "/metrics")
	// Request ids outermost, so that the access log line carries one; metrics next, around the
	// router, which hands the mux the very request whose route pattern the metrics read.
	return restserver.WithRequestID(metrics.Instrument(router, ctrl.Log.WithName("rest").WithName("access"))), nil
}

func writeJSON(w http.ResponseWriter, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_ = json.NewEncoder(w).Encode(body)
}
