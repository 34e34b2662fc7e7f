package rest

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tessera-dev/tessera/internal/metrics"
	"github.com/tessera-dev/tessera/internal/verify"
)

// TestCountSignIn checks the labels of a password check: API by path prefix, HTTP Basic or a
// sign-in body, and the result from the error.
func TestCountSignIn(t *testing.T) {
	for _, tc := range []struct {
		path, basicLogin string
		err              error
		api, flow, res   string
	}{
		{"/1/accounts", "ann", nil, metrics.APILuna, metrics.FlowBasicAuth, metrics.ResultSuccess},
		{"/1/verifier", "", fmt.Errorf("x: %w", verify.ErrWrongPassword), metrics.APILuna, metrics.FlowSignIn, metrics.ResultWrongCredentials},
		{"/v1/authorization", "", &ThrottledError{Reason: "slow down"}, metrics.APIOte, metrics.FlowSignIn, metrics.ResultThrottled},
		{"/api/v0.1.0/access_token", "", verify.ErrLocked, metrics.APIIdentity, metrics.FlowSignIn, metrics.ResultLocked},
		{"/api/1/login", "", verify.ErrNotApproved, metrics.APIPortal, metrics.FlowSignIn, metrics.ResultNotApproved},
		{"/elsewhere", "someone-else", errors.New("boom"), metrics.APIOther, metrics.FlowSignIn, metrics.ResultError},
	} {
		r := httptest.NewRequest("POST", tc.path, nil)
		if tc.basicLogin != "" {
			r.SetBasicAuth(tc.basicLogin, "pw")
		}
		c := metrics.SignIns.WithLabelValues(tc.api, tc.flow, tc.res)
		before := testutil.ToFloat64(c)
		countSignIn(r, "ann", tc.err)
		if got := testutil.ToFloat64(c) - before; got != 1 {
			t.Errorf("%s %v: %s/%s/%s moved by %v, want 1", tc.path, tc.err, tc.api, tc.flow, tc.res, got)
		}
	}
}
