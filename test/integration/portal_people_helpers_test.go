package integration

import (
	"context"
	"fmt"
	"maps"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// peoplePassword is the password the specs give the admins and users they create.
const peoplePassword = "People-Passw0rd"

// apiAdmin is an administrator created through POST /groups/{group}/admins.
type apiAdmin struct {
	id, userID int64
	cred
}

// createAPIAdmin creates an administrator of group with access through the API as c (with a
// password, Tessera's extension, so that it can sign in) and checks it can.
func createAPIAdmin(c cred, group int64, access int, extra map[string]any) apiAdmin {
	GinkgoHelper()
	login := newLogin("people-admin")
	body := map[string]any{"login": login, "password": peoplePassword, "access_type": access}
	maps.Copy(body, extra)
	r := portalCall("POST", fmt.Sprintf("/groups/%d/admins", group), c, body)
	Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Raw)
	Expect(r.Body).To(HaveKeyWithValue("version", BeEquivalentTo(1)))
	Expect(r.Body).To(HaveKeyWithValue("uuid", MatchRegexp(`^[0-9a-f-]{36}$`)))
	adm := apiAdmin{id: int64(r.Body["id"].(float64)), userID: int64(r.Body["user_id"].(float64)), cred: basic(login, peoplePassword)}
	Expect(portalCall("GET", fmt.Sprintf("/admins/%d", adm.id), adm.cred, nil).Status).To(Equal(http.StatusOK))
	return adm
}

// createAPIUser creates a service user of group through the API as c and returns its id.
func createAPIUser(c cred, group int64, extra map[string]any) (int64, string) {
	GinkgoHelper()
	login := newLogin("people-user")
	body := map[string]any{"login": login}
	maps.Copy(body, extra)
	r := portalCall("POST", fmt.Sprintf("/groups/%d/users", group), c, body)
	Expect(r.Status).To(Equal(http.StatusCreated), "body %s", r.Raw)
	Expect(r.Body).To(HaveKeyWithValue("version", BeEquivalentTo(1)))
	Expect(r.Body).To(HaveKeyWithValue("uuid", MatchRegexp(`^[0-9a-f-]{36}$`)))
	return int64(r.Body["id"].(float64)), login
}

// adminCR is the Admin whose portal id is id, read from the API server (nil when none).
func adminCR(id int64) *tenancyv1alpha1.Admin {
	GinkgoHelper()
	list := &tenancyv1alpha1.AdminList{}
	Expect(k8s.List(context.Background(), list)).To(Succeed())
	for i := range list.Items {
		if list.Items[i].Spec.ID == id && list.Items[i].DeletionTimestamp == nil {
			return &list.Items[i]
		}
	}
	return nil
}

// portalAccountCR is the live Account whose portal id is id, read from the API server (nil
// when none).
func portalAccountCR(id int64) *tenancyv1alpha1.Account {
	GinkgoHelper()
	return findAccount(func(a *tenancyv1alpha1.Account) bool { return a.Spec.ID == id && a.DeletionTimestamp == nil })
}

// accountByLogin is the Account with login (nil when none).
func accountByLogin(login string) *tenancyv1alpha1.Account {
	GinkgoHelper()
	return findAccount(func(a *tenancyv1alpha1.Account) bool { return a.Spec.Login == login })
}

func findAccount(match func(*tenancyv1alpha1.Account) bool) *tenancyv1alpha1.Account {
	GinkgoHelper()
	list := &tenancyv1alpha1.AccountList{}
	Expect(k8s.List(context.Background(), list)).To(Succeed())
	for i := range list.Items {
		if match(&list.Items[i]) {
			return &list.Items[i]
		}
	}
	return nil
}

// patchAccount changes an Account as a kubectl user would.
func patchAccount(id int64, change func(*tenancyv1alpha1.Account)) {
	GinkgoHelper()
	acct := portalAccountCR(id)
	Expect(acct).NotTo(BeNil())
	patch := client.MergeFrom(acct.DeepCopy())
	change(acct)
	Expect(k8s.Patch(context.Background(), acct, patch)).To(Succeed())
}

// issued is the jwt of a {"jwt": ...} answer.
func issued(r lunaResp) string {
	GinkgoHelper()
	Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
	tok, _ := r.Body["jwt"].(string)
	Expect(tok).NotTo(BeEmpty())
	return tok
}
