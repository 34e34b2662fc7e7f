// Package luna serves the Luna Accounts API (seeds 000 and 001; 001 v0.3.40 stands where they
// disagree) over Tessera's Accounts and Tokens.
package luna

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tessera-dev/tessera/internal/listindex"
	"github.com/tessera-dev/tessera/internal/notify"
	"github.com/tessera-dev/tessera/internal/rest"
	"github.com/tessera-dev/tessera/internal/verify"
	"github.com/tessera-dev/tessera/internal/version"
)

// HealthCheck reports the components Tessera depends on; a nil error means healthy.
type HealthCheck struct {
	Component string
	Check     func(ctx context.Context) error
}

// API is the Luna Accounts handler set.
type API struct {
	// Health lists what include_luna_services=1 checks.
	Health []HealthCheck
	// Ready is nil once Tessera is ready (bootstrap done, caches synced); until then
	// /healthcheck answers 503 (90503, Retry-After). Nil means always ready.
	Ready func(ctx context.Context) error
	// Auth authenticates requests (Basic or Bearer).
	Auth *rest.Authenticator
	// Client is the manager's client: reads come from the informer cache (through the field
	// indexes), writes go to the API server.
	Client client.Client
	// Lists keeps the orders GET /1/accounts and GET /1/tokens page by (listindex.Register);
	// without it those lists answer 503.
	Lists *listindex.Lists
	// Verifier checks tokens and account ids for /1/verifier.
	Verifier *verify.Verifier
	// Config is the service configuration /1/config shows, section by section; values of keys
	// that name a password, token, secret or key are masked.
	Config map[string]map[string]any
	// Plugins lists the service plugins /1/plugins shows (none by default).
	Plugins []string
	// WaitTimeout bounds how long a write waits for the cache (and a new token for its JWT);
	// zero means 5 seconds.
	WaitTimeout time.Duration
	// Changes, when set, tells a token write that its Token or Secret changed in the cache, so
	// that it need not poll for the JWT.
	Changes *notify.Broadcaster
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Register mounts the API's routes on mux.
func (a *API) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /version", a.getVersion)
	mux.HandleFunc("GET /healthcheck", a.getHealth)

	mux.HandleFunc("POST /1/accounts", a.authed(a.createAccount))
	mux.HandleFunc("GET /1/accounts", a.authed(a.listAccounts))
	mux.HandleFunc("GET /1/accounts/count", a.authed(a.countAccounts))
	mux.HandleFunc("GET /1/accounts/{account_id}", a.authed(a.getAccount))
	mux.HandleFunc("PATCH /1/accounts/{account_id}", a.authed(a.patchAccount))
	mux.HandleFunc("DELETE /1/accounts/{account_id}", a.authed(a.deleteAccount))

	mux.HandleFunc("POST /1/tokens", a.authed(a.createToken))
	mux.HandleFunc("GET /1/tokens", a.authed(a.listTokens))
	mux.HandleFunc("GET /1/tokens/{token_id}", a.authed(a.getToken))
	mux.HandleFunc("PUT /1/tokens/{token_id}", a.authed(a.replaceToken))
	mux.HandleFunc("DELETE /1/tokens/{token_id}", a.authed(a.deleteToken))

	mux.HandleFunc("POST /1/verifier", a.verifyCredentials)
	mux.HandleFunc("GET /1/docs/spec", a.getSpec)
	mux.HandleFunc("GET /1/docs/dev", a.getDevManual)
	mux.HandleFunc("GET /1/docs/dev/index.html", a.getDevManual)
	mux.HandleFunc("GET /1/config", a.authed(a.getConfig))
	mux.HandleFunc("GET /1/plugins", a.authed(a.getPlugins))
}

func (a *API) getVersion(w http.ResponseWriter, _ *http.Request) {
	major, minor, patch := version.Parts()
	writeJSON(w, http.StatusOK, map[string]any{
		"Version": map[string]int{"api": 1, "major": major, "minor": minor, "patch": patch},
	})
}

// Error is Luna's error envelope.
type Error struct {
	Code   int    `json:"error_code"`
	Desc   string `json:"desc"`
	Detail string `json:"detail"`
	Link   string `json:"link"`
}

func newError(code int, desc, detail string) Error {
	return Error{Code: code, Desc: desc, Detail: detail,
		Link: "https://docs.visionlabs.ai/info/luna/troubleshooting/errors-description/code-" + strconv.Itoa(code)}
}

func (a *API) getHealth(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	include := r.URL.Query().Get("include_luna_services")
	if include != "" && include != "0" && include != "1" {
		writeJSON(w, http.StatusBadRequest, newError(12012, "Bad/incomplete input data",
			"Bad query parameters 'include_luna_services'"))
		return
	}
	if a.Ready != nil {
		if err := a.Ready(r.Context()); err != nil {
			writeErr(w, r, errUnavailable("Tessera is starting: "+err.Error()))
			return
		}
	}
	if include == "1" {
		type componentError struct {
			Component string `json:"component"`
			Error     Error  `json:"error"`
			Status    int    `json:"status"`
		}
		var failed []componentError
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		for _, h := range a.Health {
			if err := h.Check(ctx); err != nil {
				failed = append(failed, componentError{Component: h.Component, Status: 0,
					Error: newError(10017, "Dependency error", err.Error())})
			}
		}
		if len(failed) > 0 {
			writeJSON(w, http.StatusBadGateway, map[string]any{"errors": failed})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]float64{"execution_time": time.Since(start).Seconds()})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
