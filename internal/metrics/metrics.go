// Package metrics defines Tessera's own Prometheus metrics, all in one place, on
// controller-runtime's registry: the manager's /metrics and the REST server's /metrics both
// serve them. Callers record with one-line calls at the points where the decision is made.
//
// Reconcile errors are not defined here: controller-runtime already counts them per controller
// as controller_runtime_reconcile_errors_total{controller="group|account|token|admin"}.
package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Registry is where Tessera's metrics live: controller-runtime's, which the manager serves.
var Registry = ctrlmetrics.Registry

// Values of the labels of SignIns. Every label has a closed set of values: never a login, a
// path or an error text.
const (
	// APIs (label "api"), from the path prefix of the request.
	APILuna     = "luna"
	APIOte      = "ote"
	APIIdentity = "identity"
	APIPortal   = "portal"
	APIOther    = "other"

	// Flows (label "flow"): HTTP Basic on an ordinary request, or a sign-in endpoint (or a
	// password re-check, such as a password change) given a login and password in its body.
	FlowBasicAuth = "basic_auth"
	FlowSignIn    = "sign_in"

	// Results (label "result").
	ResultSuccess          = "success"
	ResultWrongCredentials = "wrong_credentials"
	ResultLocked           = "locked" // the Account's Group or an ancestor is locked
	ResultThrottled        = "throttled"
	ResultDisabled         = "disabled"
	ResultNotApproved      = "not_approved"
	ResultError            = "error"
)

var (
	// TokensIssued counts JWTs signed for a Token that had none.
	TokensIssued = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tessera_tokens_issued_total",
		Help: "JWTs signed into the Secret of a Token that had none.",
	})
	// TokensRenewed counts JWTs signed again: after a change of the claims or a key rotation.
	TokensRenewed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tessera_tokens_renewed_total",
		Help: "JWTs re-signed for a Token after a change of its claims or of the signing key.",
	})
	// TokensExpired counts Tokens seen passing their expirationTime.
	TokensExpired = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tessera_tokens_expired_total",
		Help: "Tokens marked Expired when their expirationTime passed.",
	})
	// TokensRevoked counts Tokens deleted, whose JWT Secret was removed.
	TokensRevoked = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tessera_tokens_revoked_total",
		Help: "Tokens deleted, their JWT Secret removed so the JWT stops verifying.",
	})
	// SignIns counts password checks by API, flow and result.
	SignIns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tessera_signins_total",
		Help: "Password checks (sign-ins and HTTP Basic requests) by API, flow and result.",
	}, []string{"api", "flow", "result"})
	// GroupsLocked is the number of Groups frozen by a lock, their own or an ancestor's.
	GroupsLocked = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "tessera_groups_locked",
		Help: "Groups frozen by a hierarchy lock: lock=\"own\" (spec.lock.enabled) or lock=\"inherited\" (an ancestor's).",
	}, []string{"lock"})
	// KeyRotations counts rotations of the signing key.
	KeyRotations = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tessera_signing_key_rotations_total",
		Help: "Rotations of the active signing key, on schedule or on demand.",
	})
	// WebhookCertificateExpiry is when the admission webhooks' serving certificate expires.
	WebhookCertificateExpiry = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "tessera_webhook_certificate_expiry_timestamp_seconds",
		Help: "Unix time at which the admission webhooks' serving certificate expires.",
	})
)

func init() {
	Registry.MustRegister(TokensIssued, TokensRenewed, TokensExpired, TokensRevoked, SignIns,
		GroupsLocked, KeyRotations, WebhookCertificateExpiry)
	// Series that exist from the start make rate() and alerts work before the first event.
	results := []string{ResultSuccess, ResultWrongCredentials, ResultLocked, ResultThrottled,
		ResultDisabled, ResultNotApproved, ResultError}
	for _, api := range []string{APILuna, APIOte, APIIdentity} {
		for _, r := range results {
			SignIns.WithLabelValues(api, FlowSignIn, r)
		}
	}
	for _, r := range results {
		SignIns.WithLabelValues(APILuna, FlowBasicAuth, r)
	}
	GroupsLocked.WithLabelValues(LockOwn)
	GroupsLocked.WithLabelValues(LockInherited)
}

// TokenSigned counts a JWT signed for a Token: renewed when the Token had one before.
func TokenSigned(renewed bool) {
	if renewed {
		TokensRenewed.Inc()
		return
	}
	TokensIssued.Inc()
}

// Lock states of a Group, the values of GroupsLocked's label.
const (
	LockNone      = ""
	LockOwn       = "own"
	LockInherited = "inherited"
)

// groupLocks remembers each Group's last reported lock state, so that the gauge counts Groups
// however often they are reconciled.
var groupLocks = struct {
	sync.Mutex
	state map[string]string
}{state: map[string]string{}}

// SetGroupLock records a Group's lock state (LockNone, LockOwn or LockInherited).
func SetGroupLock(group, state string) {
	groupLocks.Lock()
	defer groupLocks.Unlock()
	old := groupLocks.state[group]
	if old == state {
		return
	}
	if old != LockNone {
		GroupsLocked.WithLabelValues(old).Dec()
	}
	if state == LockNone {
		delete(groupLocks.state, group)
		return
	}
	groupLocks.state[group] = state
	GroupsLocked.WithLabelValues(state).Inc()
}

// ForgetGroup drops a deleted Group from the gauge.
func ForgetGroup(group string) { SetGroupLock(group, LockNone) }
