package e2e

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/people"
)

// ote sends an ote-stack request with a session token (none when empty).
func (in *instance) ote(method, path, token string, body any) (int, map[string]any) {
	return in.call(method, path, func(r *http.Request) {
		if token != "" {
			r.Header.Set("Authorization", token)
		}
	}, body)
}

// oteSignIn returns a session token, failing the test when sign-in does not answer 200.
func (in *instance) oteSignIn(user, password string) string {
	in.t.Helper()
	st, body := in.ote("POST", "/v1/authorization", "", map[string]any{"user": user, "password": password})
	if st != http.StatusOK {
		in.t.Fatalf("sign-in of %s answered %d: %v", user, st, body)
	}
	return body["token"].(string)
}

// TestKillDuringBusinessCreation kills `tessera local` with SIGKILL while POST /v1/business
// moves its creator's Account into the new business, restarts it, and checks that the move
// completed or never began: one Account with the creator's login, accountID and id, signing in
// with its password, in the business's namespace with an Admin grant if the business exists.
func TestKillDuringBusinessCreation(t *testing.T) {
	setup, in := newCrashSetup(t)
	const pw = "Owner-Pass-1"
	for round, after := range []time.Duration{30 * time.Millisecond, 150 * time.Millisecond, 400 * time.Millisecond, 900 * time.Millisecond} {
		in.warmUp(round)
		sys := in.oteSignIn("admin@e2e.example", "e2e-Passw0rd")
		user := fmt.Sprintf("owner%d", round)
		st, body := in.ote("POST", "/v1/user", "", map[string]any{"user": user, "password": pw, "phone": "12345678910", "realName": "Owner", "isAdmin": true})
		if st != http.StatusOK {
			t.Fatalf("registering %s: %d %v", user, st, body)
		}
		id := int64(body["data"].(map[string]any)["id"].(float64))
		if st, body := in.ote("PUT", fmt.Sprintf("/v1/admin/user/%d", id), sys, map[string]any{"status": 1}); st != http.StatusOK {
			t.Fatalf("approving %s: %d %v", user, st, body)
		}
		before := accountByLogin(t, kubeClient(t, in), user)
		tok := in.oteSignIn(user, pw)

		business := fmt.Sprintf("Business %d", round)
		answer := make(chan int, 1)
		go func() {
			st, _ := in.ote("POST", "/v1/business", tok, map[string]any{"name": business, "introduce": "i", "objective": "o", "scale": "s"})
			answer <- st
		}()
		time.Sleep(after)
		in.kill9()
		st = <-answer

		in = setup.restart(t)
		c := kubeClient(t, in)
		outcome := waitMoveSettled(t, c, before, people.DNSName("biz-", business, 55))
		in.warmUp(100 + round)
		in.oteSignIn(user, pw)
		t.Logf("round %d (SIGKILL %v after POST /v1/business, answered %d): %s; %s signs in with its password",
			round, after, st, outcome, user)
	}
	in.interrupt()
}

// waitMoveSettled waits until the creator's move record is gone and checks where the Account
// ended: the same login, accountID and id, once, beside an Admin grant in the business's
// namespace if the business Group exists, else in the root namespace.
func waitMoveSettled(t *testing.T, c client.Client, before *tenancyv1alpha1.Account, group string) string {
	t.Helper()
	ctx := context.Background()
	record := client.ObjectKey{Namespace: before.Namespace, Name: credential.MoveRecordName(before.Name)}
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		err := c.Get(ctx, record, &corev1.Secret{})
		if apierrors.IsNotFound(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the move record of %s is still there after 90 s (%v)", before.Spec.Login, err)
		}
	}
	after := accountByLogin(t, c, before.Spec.Login)
	if after.Spec.AccountID != before.Spec.AccountID || after.Spec.ID != before.Spec.ID || after.Name != before.Name {
		t.Fatalf("the Account of %s changed identity: %s/%d -> %s/%d", before.Spec.Login,
			before.Spec.AccountID, before.Spec.ID, after.Spec.AccountID, after.Spec.ID)
	}
	gerr := c.Get(ctx, client.ObjectKey{Name: group}, &tenancyv1alpha1.Group{})
	switch {
	case gerr == nil:
		if after.Namespace != tenancyv1alpha1.GroupNamespace(group) {
			t.Fatalf("business %s exists but its creator is in %s", group, after.Namespace)
		}
		if err := c.Get(ctx, client.ObjectKey{Namespace: after.Namespace, Name: after.Name}, &tenancyv1alpha1.Admin{}); err != nil {
			t.Fatalf("the creator of business %s has no Admin grant there: %v", group, err)
		}
		return "business created, creator moved with its Admin grant"
	case apierrors.IsNotFound(gerr):
		if after.Namespace != before.Namespace {
			t.Fatalf("no business %s, yet its creator left %s for %s", group, before.Namespace, after.Namespace)
		}
		return "no business, creator where it was"
	default:
		t.Fatal(gerr)
		return ""
	}
}

// accountByLogin finds the one live Account with login, failing the test unless exactly one.
func accountByLogin(t *testing.T, c client.Client, login string) *tenancyv1alpha1.Account {
	t.Helper()
	var found []*tenancyv1alpha1.Account
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		list := &tenancyv1alpha1.AccountList{}
		if err := c.List(context.Background(), list); err != nil {
			t.Fatal(err)
		}
		found = found[:0]
		for i := range list.Items {
			if list.Items[i].Spec.Login == login && list.Items[i].DeletionTimestamp == nil {
				found = append(found, &list.Items[i])
			}
		}
		if len(found) == 1 {
			return found[0]
		}
	}
	t.Fatalf("%d live Accounts with login %s", len(found), login)
	return nil
}
