package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
)

// benchPassword is the password of the bench's own sign-in Account, benchLoginAccount.
const (
	benchPassword     = "bench-Passw0rd"
	benchLoginAccount = "bench-login"
)

// The REST modes of bench.
const (
	modeVerify     = "verify"
	modeLogin      = "login"
	modeRESTCreate = "rest-create"
	modeBasic      = "basic-vs-bearer"
)

func restBench(ctx context.Context, c client.Client, ns, what, url, size string, levels []int, d time.Duration) {
	switch what {
	case modeVerify:
		jwt := benchJWT(ctx, c, ns)
		body := tokenBody(jwt)
		for _, l := range levels {
			load("verifier/token", l, d, http.StatusOK, jsonPost(url+"/1/verifier", body, http.Header{}))
		}
	case modeLogin:
		login := benchAccount(ctx, c, ns)
		body := passwordBody(login, benchPassword)
		for _, l := range levels {
			load("verifier/password", l, d, http.StatusOK, jsonPost(url+"/1/verifier", body, http.Header{}))
		}
	case "rest-tokens":
		// Bearer: a Token of the bootstrap admin, so that no request hashes a password.
		benchAccount(ctx, c, ns)
		acct := &tenancyv1alpha1.Account{}
		check(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: benchLoginAccount}, acct))
		h := http.Header{}
		h.Set("Authorization", "Bearer "+tokenJWT(ctx, c, "tessera-root", "bench-admin", "bootstrap-admin",
			tenancyv1alpha1.TokenPermissions{Token: []tenancyv1alpha1.CRUDVerb{"creation", "view"}}))
		h.Set("Luna-Account-Id", acct.Spec.AccountID)
		body, _ := json.Marshal(map[string]any{"permissions": map[string]any{}, "expiration_time": nil})
		for _, l := range levels {
			load("POST /1/tokens, Bearer (JWT in the answer)", l, d, http.StatusCreated, jsonPost(url+"/1/tokens", body, h))
		}
	case modeBasic:
		basicVsBearer(ctx, c, ns, url, size, levels, d)
	case modeRESTCreate:
		h := adminHeader()
		run := strconv.FormatInt(time.Now().UnixNano(), 36)
		var seq atomic.Int64
		for _, l := range levels {
			load("POST /1/accounts", l, d, http.StatusCreated, func() (*http.Request, error) {
				i := seq.Add(1)
				body, _ := json.Marshal(map[string]string{"login": fmt.Sprintf("b%s-%d@bench.example", run, i),
					"password": benchPassword, "account_type": "user"})
				return jsonPost(url+"/1/accounts", body, h)()
			})
		}
		benchAccount(ctx, c, ns) // on a fresh instance no earlier mode has made it
		acct := &tenancyv1alpha1.Account{}
		check(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: benchLoginAccount}, acct))
		th := h.Clone()
		th.Set("Luna-Account-Id", acct.Spec.AccountID)
		body, _ := json.Marshal(map[string]any{"permissions": map[string]any{}, "expiration_time": nil})
		for _, l := range levels {
			load("POST /1/tokens (JWT in the answer)", l, d, http.StatusCreated, jsonPost(url+"/1/tokens", body, th))
		}
	}
}

// basicVsBearer runs GET /1/accounts/{id} of the bench account with a Bearer token of that
// account and the same request signed in with HTTP Basic, at each level for d each, and prints
// the mean rates of answers 200 and their ratio: Basic costs no hash per request once its
// password is remembered, so the goal is at least half the Bearer rate.
func basicVsBearer(ctx context.Context, c client.Client, ns, url, size string, levels []int, d time.Duration) {
	login := benchAccount(ctx, c, ns)
	acct := &tenancyv1alpha1.Account{}
	check(c.Get(ctx, client.ObjectKey{Namespace: ns, Name: benchLoginAccount}, acct))
	target := url + "/1/accounts/" + acct.Spec.AccountID
	req, _ := http.NewRequest(http.MethodGet, target, nil)
	req.SetBasicAuth(login, benchPassword)
	basicH := req.Header
	jwt := tokenJWT(ctx, c, ns, "bench-verify", benchLoginAccount, tenancyv1alpha1.TokenPermissions{})
	bearerH := http.Header{}
	bearerH.Set("Authorization", "Bearer "+jwt)
	// One sign-in first, so that the run measures remembered passwords: until the first hash
	// ends, concurrent requests with the same password each need a hashing slot, and most get 429.
	warm, err := get(target, basicH)()
	check(err)
	resp, err := http.DefaultClient.Do(warm)
	check(err)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		check(fmt.Errorf("GET %s with Basic: %s", target, resp.Status))
	}
	for _, l := range levels {
		bearer, basic := alternate(l, d, 5, http.StatusOK, "GET /1/accounts/{id}, Bearer", get(target, bearerH),
			"GET /1/accounts/{id}, Basic", get(target, basicH))
		fmt.Printf("concurrency=%d Bearer=%.0f/s Basic=%.0f/s ratio Basic/s ÷ Bearer/s=%.2f goal ≥ 0.5: %s\n",
			l, bearer, basic, basic/bearer, verdict(basic >= 0.5*bearer))
		row(size, fmt.Sprintf("GET /1/accounts/{id}, Basic ÷ Bearer, concurrency %d", l),
			fmt.Sprintf("%.0f/s ÷ %.0f/s = %.2f", basic, bearer, basic/bearer), "≥ 0.5: "+verdict(basic >= 0.5*bearer))
	}
}

// benchAccount makes sure an Account with a known password exists and returns its login.
func benchAccount(ctx context.Context, c client.Client, ns string) string {
	acct := &tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: benchLoginAccount},
		Spec: tenancyv1alpha1.AccountSpec{Login: "bench-login@bench.example", Type: tenancyv1alpha1.AccountTypeAdvancedUser}}
	if err := c.Create(ctx, acct); err != nil && !apierrors.IsAlreadyExists(err) {
		check(err)
	}
	check(c.Get(ctx, client.ObjectKeyFromObject(acct), acct))
	check(credential.Store(ctx, c, acct, benchPassword))
	time.Sleep(2 * time.Second) // let the cache see the hash
	return acct.Spec.Login
}

// benchJWT returns the JWT of a Token of the bench account.
func benchJWT(ctx context.Context, c client.Client, ns string) string {
	benchAccount(ctx, c, ns)
	return tokenJWT(ctx, c, ns, "bench-verify", benchLoginAccount, tenancyv1alpha1.TokenPermissions{})
}

// tokenJWT makes sure the Token name of account exists in ns and returns its JWT.
func tokenJWT(ctx context.Context, c client.Client, ns, name, account string,
	perms tenancyv1alpha1.TokenPermissions) string {
	tok := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: tenancyv1alpha1.TokenSpec{AccountRef: tenancyv1alpha1.LocalObjectReference{Name: account}, Permissions: perms}}
	if err := c.Create(ctx, tok); err != nil && !apierrors.IsAlreadyExists(err) {
		check(err)
	}
	for range 100 {
		s := &corev1.Secret{}
		key := client.ObjectKey{Namespace: ns, Name: name + tenancyv1alpha1.TokenSecretSuffix}
		if err := c.Get(ctx, key, s); err == nil && len(s.Data[tenancyv1alpha1.TokenSecretKey]) > 0 {
			return string(s.Data[tenancyv1alpha1.TokenSecretKey])
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "bench: the bench token's JWT never appeared")
	os.Exit(1)
	return ""
}

// tokenBody is POST /1/verifier's body for a token.
func tokenBody(jwt string) []byte {
	b, _ := json.Marshal(map[string]string{"token": jwt})
	return b
}

// passwordBody is POST /1/verifier's body for a login and password.
func passwordBody(login, password string) []byte {
	b, _ := json.Marshal(map[string]string{"login": login, "password": password})
	return b
}

func adminHeader() http.Header {
	login, password := os.Getenv("TESSERA_ADMIN_LOGIN"), os.Getenv("TESSERA_ADMIN_PASSWORD")
	if login == "" {
		fmt.Fprintln(os.Stderr, "bench: set TESSERA_ADMIN_LOGIN and TESSERA_ADMIN_PASSWORD")
		os.Exit(2)
	}
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(login, password)
	return req.Header
}

func parseLevels(s string) []int {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		check(err)
		out = append(out, n)
	}
	return out
}
