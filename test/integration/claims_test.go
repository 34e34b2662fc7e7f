package integration

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/claims"
)

// expectDuplicate checks admission's refusal of a copied identifier: 409 Conflict with a
// FieldValueDuplicate cause naming field.
func expectDuplicate(err error, field string) {
	GinkgoHelper()
	Expect(apierrors.IsConflict(err)).To(BeTrue(), "want 409 Conflict naming %s, got %v", field, err)
	var st apierrors.APIStatus
	Expect(errors.As(err, &st)).To(BeTrue())
	Expect(st.Status().Details).NotTo(BeNil(), "%v", err)
	Expect(st.Status().Details.Causes).To(ContainElement(And(
		HaveField("Type", metav1.CauseTypeFieldValueDuplicate), HaveField("Field", field))), "%v", err)
}

// racers is how many creates of one value race.
const racers = 10

// race runs create racers times at once and returns the errors.
func race(create func(i int) error) []error {
	n := racers
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			defer GinkgoRecover()
			errs[i] = create(i)
		})
	}
	wg.Wait()
	return errs
}

// expectWinners checks that want of errs are nil and the others refusals naming field.
func expectWinners(errs []error, field string, want int) {
	GinkgoHelper()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		expectDuplicate(err, field)
	}
	Expect(won).To(Equal(want))
}

var _ = Describe("Identifier claims", Ordered, func() {
	ctx := context.Background()
	var ns string
	admin := &tenancyv1alpha1.Account{}
	BeforeAll(func() {
		ns = groupNamespace(ctx, "claims")
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: "tessera-root", Name: "bootstrap-admin"}, admin)).To(Succeed())
		Expect(admin.Spec.AccountID).NotTo(BeEmpty())
	})

	It("refuses an Account with the bootstrap admin's accountID or id, naming the field", func() {
		a := newAccount(ns, "copy-uuid", "copy-uuid@claims.example")
		a.Spec.AccountID = admin.Spec.AccountID
		err := k8s.Create(ctx, a)
		expectDuplicate(err, "spec.accountID")
		Expect(err.Error()).To(ContainSubstring(`accountID "` + admin.Spec.AccountID + `" is already taken by Account tessera-root/bootstrap-admin`))

		a = newAccount(ns, "copy-id", "copy-id@claims.example")
		a.Spec.ID = admin.Spec.ID
		err = k8s.Create(ctx, a)
		expectDuplicate(err, "spec.id")
		Expect(err.Error()).To(ContainSubstring(fmt.Sprintf("id %d is already taken by Account tessera-root/bootstrap-admin", admin.Spec.ID)))

		// A refused create holds nothing: its login is free at once under another name.
		Expect(k8s.Create(ctx, newAccount(ns, "copy-id-fixed", "copy-id@claims.example"))).To(Succeed())
	})

	It("refuses a Token with another Token's tokenID", func() {
		Expect(k8s.Create(ctx, newAccount(ns, "tok-owner", "tok-owner@claims.example"))).To(Succeed())
		first := newToken(ns, "first", "tok-owner")
		Expect(k8s.Create(ctx, first)).To(Succeed())
		copied := newToken(ns, "copied", "tok-owner")
		copied.Spec.TokenID = first.Spec.TokenID
		err := k8s.Create(ctx, copied)
		expectDuplicate(err, "spec.tokenID")
		Expect(err.Error()).To(ContainSubstring("Token " + ns + "/first"))
	})

	It("lets exactly one of 10 concurrent creates with one chosen tokenID win, and refuses all 10 copies of a generated one", func() {
		expectOneWinner := func(prefix, id string, want int) {
			expectWinners(race(func(i int) error {
				t := newToken(ns, fmt.Sprintf("%s-%d", prefix, i), "tok-owner")
				t.Spec.TokenID = id
				return k8s.Create(ctx, t)
			}), "spec.tokenID", want)
		}
		expectOneWinner("same-tok", uuid.NewString(), 1)
		// A generated tokenID holds no claim; the live check finds its Token at once.
		gen := newToken(ns, "generated", "tok-owner")
		Expect(k8s.Create(ctx, gen)).To(Succeed())
		Expect(gen.Annotations).To(HaveKey("tenancy.tessera.dev/generated-id-proof"))
		expectOneWinner("copy-gen", gen.Spec.TokenID, 0)
	})

	It("takes no client's word that a tokenID was generated", func() {
		gen := newToken(ns, "proven", "tok-owner")
		Expect(k8s.Create(ctx, gen)).To(Succeed())
		// The proof and the id copied together, under the same name after the original is gone
		// would be a replay; under another name, and when a dry run hands out the proof.
		forged := newToken(ns, "forged", "tok-owner")
		forged.Spec.TokenID = gen.Spec.TokenID
		forged.Annotations = map[string]string{"tenancy.tessera.dev/generated-id-proof": gen.Annotations["tenancy.tessera.dev/generated-id-proof"]}
		expectDuplicate(k8s.Create(ctx, forged), "spec.tokenID")

		dry := newToken(ns, "dry-tok", "tok-owner")
		Expect(k8s.Create(ctx, dry, client.DryRunAll)).To(Succeed())
		chosen := newToken(ns, "chose-dry-id", "tok-owner")
		chosen.Spec.TokenID = dry.Spec.TokenID
		Expect(k8s.Create(ctx, chosen)).To(Succeed())
		dry.ResourceVersion = ""
		expectDuplicate(k8s.Create(ctx, dry), "spec.tokenID")
		// A dry run of a copy is refused too, and claims nothing.
		copied := newToken(ns, "dry-copy", "tok-owner")
		copied.Spec.TokenID = gen.Spec.TokenID
		expectDuplicate(k8s.Create(ctx, copied, client.DryRunAll), "spec.tokenID")
	})

	It("refuses a Group with another Group's uuid or id", func() {
		root := &tenancyv1alpha1.Group{}
		Expect(k8s.Get(ctx, client.ObjectKey{Name: "root"}, root)).To(Succeed())
		g := newGroup("claims-copy-uuid", "root")
		g.Spec.UUID = root.Spec.UUID
		err := k8s.Create(ctx, g)
		expectDuplicate(err, "spec.uuid")
		Expect(err.Error()).To(ContainSubstring(`is already taken by Group root`))

		g = newGroup("claims-copy-id", "root")
		g.Spec.ID = root.Spec.ID
		expectDuplicate(k8s.Create(ctx, g), "spec.id")
	})

	It("refuses an Admin with another Admin's uuid or id", func() {
		boot := &tenancyv1alpha1.Admin{}
		Expect(k8s.Get(ctx, client.ObjectKey{Namespace: "tessera-root", Name: "bootstrap-admin"}, boot)).To(Succeed())
		Expect(k8s.Create(ctx, newAccount(ns, "adm-owner", "adm-owner@claims.example"))).To(Succeed())
		adm := newAdmin(ns, "copy-uuid", "adm-owner", tenancyv1alpha1.AccessRead)
		adm.Spec.UUID = boot.Spec.UUID
		expectDuplicate(k8s.Create(ctx, adm), "spec.uuid")
		adm = newAdmin(ns, "copy-id", "adm-owner", tenancyv1alpha1.AccessRead)
		adm.Spec.ID = boot.Spec.ID
		expectDuplicate(k8s.Create(ctx, adm), "spec.id")
	})

	It("lets exactly one of 10 concurrent creates with one chosen accountID win", func() {
		id := uuid.NewString()
		expectWinners(race(func(i int) error {
			a := newAccount(ns, fmt.Sprintf("same-id-%d", i), fmt.Sprintf("same-id-%d@claims.example", i))
			a.Spec.AccountID = id
			return k8s.Create(ctx, a)
		}), "spec.accountID", 1)
	})

	It("lets exactly one of 10 concurrent POST /1/accounts with one Luna-Account-Id win", func() {
		id := uuid.NewString()
		statuses := make([]int, 10)
		race(func(i int) error {
			body := map[string]any{"login": newLogin("same"), "password": "pw-123", "account_type": "user"}
			for range 500 {
				r := luna("POST", "/1/accounts", asAdmin, body, "Luna-Account-Id", id)
				if r.Status == http.StatusTooManyRequests { // more password checks than cores
					time.Sleep(20 * time.Millisecond)
					continue
				}
				statuses[i] = r.Status
				if r.Status != http.StatusCreated {
					expectLunaError(r, http.StatusConflict, 41002)
				}
				return nil
			}
			return nil
		})
		Expect(statuses).To(HaveEach(BeElementOf(http.StatusCreated, http.StatusConflict)))
		Expect(statuses).To(ContainElement(http.StatusCreated))
		created := 0
		for _, s := range statuses {
			if s == http.StatusCreated {
				created++
			}
		}
		Expect(created).To(Equal(1))
	})

	It("keeps GitOps replaces working, with the ids left out or carried", func() {
		a := newAccount(ns, "gitops", "gitops@claims.example")
		Expect(k8s.Create(ctx, a)).To(Succeed())
		uid, id := a.Spec.AccountID, a.Spec.ID
		// The same manifest again, ids included (a re-apply of exported YAML).
		Expect(update(ctx, a, func(a *tenancyv1alpha1.Account) { a.Spec.Description = "carried" })).To(Succeed())
		// A manifest without ids.
		Expect(update(ctx, a, func(a *tenancyv1alpha1.Account) {
			a.Spec = newAccount(ns, "gitops", "gitops@claims.example").Spec
			a.Spec.Description = "left out"
		})).To(Succeed())
		Expect(a.Spec.AccountID).To(Equal(uid))
		Expect(a.Spec.ID).To(Equal(id))

		g := &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "claims"}}
		Expect(update(ctx, g, func(g *tenancyv1alpha1.Group) {
			g.Spec.UUID, g.Spec.ID, g.Spec.Description = "", 0, "replaced"
		})).To(Succeed())
	})

	It("checks a dry run without claiming", func() {
		a := newAccount(ns, "dry", "dry@claims.example")
		a.Spec.AccountID = admin.Spec.AccountID
		expectDuplicate(k8s.Create(ctx, a, client.DryRunAll), "spec.accountID")
		id := uuid.NewString()
		a = newAccount(ns, "dry", "dry@claims.example")
		a.Spec.AccountID = id
		Expect(k8s.Create(ctx, a, client.DryRunAll)).To(Succeed())
		// Nothing was claimed: another object may have the values at once.
		b := newAccount(ns, "not-dry", "dry@claims.example")
		b.Spec.AccountID = id
		Expect(k8s.Create(ctx, b)).To(Succeed())
	})

	It("refuses all 10 concurrent copies of a generated accountID and takes no client's word that one was generated", func() {
		gen := newAccount(ns, "gen-acct", "gen-acct@claims.example")
		Expect(k8s.Create(ctx, gen)).To(Succeed())
		Expect(gen.Annotations).To(HaveKey("tenancy.tessera.dev/generated-id-proof"))
		leaseOf := func(f *claims.Field, value string) error {
			return k8s.Get(ctx, client.ObjectKey{Namespace: "tessera-system", Name: claims.Key{Field: f, Value: value}.LeaseName()}, &coordinationv1.Lease{})
		}
		Expect(leaseOf(claims.AccountLogin, gen.Spec.Login)).To(Succeed())
		Expect(apierrors.IsNotFound(leaseOf(claims.AccountID, gen.Spec.AccountID))).To(BeTrue(), "a generated accountID takes no Lease")
		// Nor does the one Luna's POST /1/accounts leaves to admission when no Luna-Account-Id is sent.
		r := luna("POST", "/1/accounts", asAdmin, map[string]any{"login": newLogin("gen-rest"), "password": "pw-123", "account_type": "user"})
		Expect(r.Status).To(Equal(http.StatusCreated), "%v", r.Body)
		restID := r.Body["account_id"].(string)
		Expect(uuid.Validate(restID)).To(Succeed())
		Expect(apierrors.IsNotFound(leaseOf(claims.AccountID, restID))).To(BeTrue(), "a REST-created accountID takes no Lease")
		// A generated accountID holds no claim; the live check finds its Account at once, and
		// a copied proof does not skip the claim.
		expectWinners(race(func(i int) error {
			a := newAccount(ns, fmt.Sprintf("copy-gen-acct-%d", i), fmt.Sprintf("copy-gen-acct-%d@claims.example", i))
			a.Spec.AccountID = gen.Spec.AccountID
			if i%2 == 0 {
				a.Annotations = map[string]string{"tenancy.tessera.dev/generated-id-proof": gen.Annotations["tenancy.tessera.dev/generated-id-proof"]}
			}
			return k8s.Create(ctx, a)
		}), "spec.accountID", 0)
	})

	It("frees the ids of a deleted Account at once", func() {
		a := newAccount(ns, "leaving", "leaving@claims.example")
		Expect(k8s.Create(ctx, a)).To(Succeed())
		b := newAccount(ns, "successor", "successor@claims.example")
		b.Spec.AccountID, b.Spec.ID = a.Spec.AccountID, a.Spec.ID
		expectDuplicate(k8s.Create(ctx, b.DeepCopy()), "spec.accountID")
		Expect(k8s.Delete(ctx, a)).To(Succeed())
		Eventually(func() bool {
			return apierrors.IsNotFound(k8s.Get(ctx, client.ObjectKeyFromObject(a), &tenancyv1alpha1.Account{}))
		}, 10*time.Second, 50*time.Millisecond).Should(BeTrue())
		b.Spec.Login = "leaving@claims.example"
		Expect(k8s.Create(ctx, b)).To(Succeed())
	})

	It("lets a deleted Token's tokenID be used again once the stale claim may be taken over", func() {
		// A chosen tokenID is claimed (a generated one holds no claim, and is free once its
		// Token is gone).
		tok := newToken(ns, "gone", "tok-owner")
		tok.Spec.TokenID = uuid.NewString()
		Expect(k8s.Create(ctx, tok)).To(Succeed())
		again := newToken(ns, "again", "tok-owner")
		again.Spec.TokenID = tok.Spec.TokenID
		expectDuplicate(k8s.Create(ctx, again.DeepCopy()), "spec.tokenID")
		Expect(k8s.Delete(ctx, tok)).To(Succeed())
		// Tokens release nothing on deletion; their claim goes stale after claims.StaleAfter (30s).
		Eventually(func() error {
			again.ResourceVersion = ""
			again.Spec.TokenID = tok.Spec.TokenID
			return k8s.Create(ctx, again)
		}, 45*time.Second, time.Second).Should(Succeed())
	})
})

var _ = Describe("E-mail logins of the identity API", Ordered, func() {
	u := oteUniq()

	It("lets exactly one of 10 concurrent registrations of one e-mail succeed, and signs that one in", func() {
		email := "idn-race-" + u + "@example.org"
		ids := make([]string, 10)
		race(func(i int) error {
			resp, body := oteCall("POST", "/api/v0.1.0/user", nil, map[string]any{
				"nick_name": fmt.Sprintf("idn-race-%s-%d", u, i), "email": email, "password": idnPassword})
			if resp.StatusCode == http.StatusOK {
				ids[i] = body["id"].(string)
				return nil
			}
			expectIdnError(resp, body, http.StatusConflict, "email: "+email+" is already registered")
			return nil
		})
		var winner []string
		for _, id := range ids {
			if id != "" {
				winner = append(winner, id)
			}
		}
		Expect(winner).To(HaveLen(1))
		_, out := idnToken(email, idnPassword)
		Expect(out).To(HaveKeyWithValue("user_id", winner[0]))
	})

	It("leaves e-mails of Accounts the identity API did not register free to share", func() {
		ctx := context.Background()
		ns := groupNamespace(ctx, "claims-mail")
		for _, name := range []string{"one", "two"} {
			a := newAccount(ns, name, name+"-"+u+"@claims-mail.example")
			a.Spec.Profile.Email = "shared-" + u + "@example.org"
			Expect(k8s.Create(ctx, a)).To(Succeed())
		}
	})
})
