package integration

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// listed is one item of a Luna list: its id and create_time.
type listed struct{ id, created string }

// pageAll walks every page of a list at page_size size and returns the items in order.
func pageAll(path, key, idField string, size int) []listed {
	GinkgoHelper()
	var out []listed
	for page := 1; ; page++ {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		r := luna("GET", path+sep+"page_size="+strconv.Itoa(size)+"&page="+strconv.Itoa(page), asAdmin, nil)
		Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
		items := r.Body[key].([]any)
		Expect(len(items)).To(BeNumerically("<=", size))
		for _, it := range items {
			m := it.(map[string]any)
			out = append(out, listed{id: m[idField].(string), created: m["create_time"].(string)})
		}
		if len(items) < size {
			return out
		}
	}
}

// ids are the ids of items, in order.
func ids(items []listed) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.id
	}
	return out
}

// inListOrder sorts items as Luna pages: oldest first, then by id.
func inListOrder(items []listed) []string {
	s := slices.Clone(items)
	slices.SortFunc(s, func(a, b listed) int {
		if c := strings.Compare(a.created, b.created); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	return ids(s)
}

// createdOf reads an item's create_time through GET.
func createdOf(path, id string) listed {
	GinkgoHelper()
	r := luna("GET", path+id, asAdmin, nil)
	Expect(r.Status).To(Equal(http.StatusOK), "body %s", r.Raw)
	return listed{id: id, created: r.Body["create_time"].(string)}
}

var _ = Describe("Luna lists", func() {
	ctx := context.Background()

	It("pages accounts and tokens in order through type changes and deletions, and lists a write as soon as it answers", func() {
		// Creation times have second precision: start on a fresh second, so that every account
		// created before this spec is before since.
		next := time.Now().Truncate(time.Second).Add(time.Second)
		time.Sleep(time.Until(next))
		since := "create_time__gte=" + url.QueryEscape(next.UTC().Format(time.RFC3339))

		typs := []string{"user", "advanced_user", "user", "admin", "user", "advanced_user", "user"}
		accts := make([]listed, 0, len(typs))
		byType := map[string][]listed{}
		for _, typ := range typs {
			id := createLunaAccount(newLogin("lists"), "pw-123", typ)
			a := createdOf("/1/accounts/", id)
			accts = append(accts, a)
			byType[typ] = append(byType[typ], a)
		}

		// Written just now, listed at once, in (create_time, account_id) order on every page size.
		for _, size := range []int{1, 2, 3, 100} {
			Expect(ids(pageAll("/1/accounts?"+since, "accounts", "account_id", size))).To(Equal(inListOrder(accts)), "page_size %d", size)
		}
		users := pageAll("/1/accounts?account_type=user&"+since, "accounts", "account_id", 2)
		Expect(ids(users)).To(Equal(inListOrder(byType["user"])))
		r := luna("GET", "/1/accounts?account_type=user&page_size=1&"+since, asAdmin, nil)
		Expect(r.Body).To(HaveKeyWithValue("total_count", BeEquivalentTo(len(byType["user"]))))

		// A type change moves the account between the type's lists, at once.
		moved := byType["user"][0]
		Expect(luna("PATCH", "/1/accounts/"+moved.id, asAdmin, map[string]any{"account_type": "advanced_user"}).Status).
			To(Equal(http.StatusNoContent))
		Expect(ids(pageAll("/1/accounts?account_type=user&"+since, "accounts", "account_id", 2))).
			To(Equal(inListOrder(byType["user"][1:])))
		Expect(ids(pageAll("/1/accounts?account_type=advanced_user&"+since, "accounts", "account_id", 2))).
			To(Equal(inListOrder(append(slices.Clone(byType["advanced_user"]), moved))))

		// Tokens: two accounts' tokens interleaved in time.
		owner, other := accts[1], accts[2]
		var mine []listed
		all := make([]listed, 0, 5)
		for i := range cap(all) {
			acct := owner
			if i%2 == 1 {
				acct = other
			}
			_, tokID := createLunaToken(asAdmin, acct.id, map[string]any{"permissions": map[string]any{}, "expiration_time": nil})
			t := createdOf("/1/tokens/", tokID)
			all = append(all, t)
			if acct == owner {
				mine = append(mine, t)
			}
		}
		Expect(ids(pageAll("/1/tokens?account_id="+owner.id, "tokens", "token_id", 2))).To(Equal(inListOrder(mine)))
		Expect(ids(pageAll("/1/tokens?"+since, "tokens", "token_id", 2))).To(Equal(inListOrder(all)))

		// Deleting a token, then the other account (whose tokens its finalizer deletes later),
		// takes them out of the pages as soon as DELETE answers.
		Expect(luna("DELETE", "/1/tokens/"+mine[0].id, asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		Expect(ids(pageAll("/1/tokens?account_id="+owner.id, "tokens", "token_id", 2))).To(Equal(inListOrder(mine[1:])))
		Expect(luna("DELETE", "/1/accounts/"+other.id, asAdmin, nil).Status).To(Equal(http.StatusNoContent))
		Expect(ids(pageAll("/1/tokens?"+since, "tokens", "token_id", 2))).To(Equal(inListOrder(mine[1:])))
		rest := slices.DeleteFunc(slices.Clone(accts), func(a listed) bool { return a == other })
		Expect(ids(pageAll("/1/accounts?"+since, "accounts", "account_id", 3))).To(Equal(inListOrder(rest)))

		// An Account deleted with kubectl leaves the lists once the cache sees it.
		gone := rest[0]
		cr, err := accountCR(ctx, gone.id)
		Expect(err).NotTo(HaveOccurred())
		Expect(k8s.Delete(ctx, cr)).To(Succeed())
		Eventually(func() []string { return ids(pageAll("/1/accounts?"+since, "accounts", "account_id", 2)) },
			10*time.Second, 50*time.Millisecond).Should(Equal(inListOrder(rest[1:])))
		count := luna("GET", "/1/accounts?page_size=1", asAdmin, nil).Body["total_count"]
		Expect(luna("GET", "/1/accounts/count", asAdmin, nil).Body["count"]).To(Equal(count))

		// A user account sees itself only.
		self := luna("GET", "/1/accounts?page_size=100", basic(loginOf(rest[1].id), "pw-123"), nil)
		Expect(self.Body).To(HaveKeyWithValue("total_count", BeEquivalentTo(1)))
		Expect(self.Body["accounts"].([]any)[0]).To(HaveKeyWithValue("account_id", rest[1].id))
	})
})

// loginOf reads an account's login through GET.
func loginOf(id string) string {
	GinkgoHelper()
	return luna("GET", "/1/accounts/"+id, asAdmin, nil).Body["login"].(string)
}
