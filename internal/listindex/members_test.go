package listindex

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// TestMembersAgreesWithTheObjects applies random adds, changes and deletes of Accounts and
// Admins (Admins renaming their Account, Accounts changing login, both being deleted) and
// checks after each that the counts and the login order are what the live objects give.
func TestMembersAgreesWithTheObjects(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	x := NewMembers()
	accounts := map[types.NamespacedName]string{} // live Account → login
	admins := map[types.NamespacedName]string{}   // live Admin → the Account it names
	logins := []string{"Ann@x", "ann@y", "BOB@x", "bob@x", "carl", "Carla", "dora"}
	stamps := map[uint64]bool{}
	for step := range 4000 {
		ns := fmt.Sprintf("tessera-g%d", rng.IntN(3))
		before, changes := x.Stamp(ns), x.Changes()
		if rng.IntN(2) == 0 {
			ref := types.NamespacedName{Namespace: ns, Name: fmt.Sprintf("a%d", rng.IntN(12))}
			acct := randomAccount(rng)
			acct.Namespace, acct.Name = ref.Namespace, ref.Name
			acct.Spec.Login = logins[rng.IntN(len(logins))]
			switch {
			case rng.IntN(5) == 0:
				x.ApplyAccount(ref, nil)
				delete(accounts, ref)
			default:
				x.ApplyAccount(ref, acct)
				if acct.DeletionTimestamp == nil {
					accounts[ref] = acct.Spec.Login
				} else {
					delete(accounts, ref)
				}
			}
		} else {
			ref := types.NamespacedName{Namespace: ns, Name: fmt.Sprintf("adm%d", rng.IntN(8))}
			adm := randomAdmin(rng)
			switch {
			case rng.IntN(5) == 0:
				x.ApplyAdmin(ref, nil)
				delete(admins, ref)
			default:
				x.ApplyAdmin(ref, adm)
				if adm.DeletionTimestamp == nil {
					admins[ref] = adm.Spec.AccountRef.Name
				} else {
					delete(admins, ref)
				}
			}
		}
		if x.Changes() == changes {
			t.Fatalf("step %d: Changes() stayed %d", step, changes)
		}
		// Every event of a namespace with members gives it a stamp never seen; 0 is empty.
		if st := x.Stamp(ns); (st == 0) != (inNamespace(accounts, ns) == 0 && inNamespace(admins, ns) == 0) || st != 0 && (st == before || stamps[st]) {
			t.Fatalf("step %d: Stamp(%s) = %d after %d (given before: %v)", step, ns, st, before, stamps[st])
		} else {
			stamps[st] = st != 0
		}
		for g := range 3 {
			ns := fmt.Sprintf("tessera-g%d", g)
			if got, want := x.ServiceUsers(ns), serviceUsers(accounts, admins, ns); got != want {
				t.Fatalf("step %d: ServiceUsers(%s) = %d, the objects give %d", step, ns, got, want)
			}
		}
		prefix := []string{"", "a", "ANN", "bob@", "carl", "zed"}[rng.IntN(6)]
		want := loginsWith(accounts, prefix)
		if got := loginsOf(x, prefix); !slices.Equal(got, want) {
			t.Fatalf("step %d: Logins(%q) = %v, the objects give %v", step, prefix, got, want)
		}
		if got := x.LoginMatches(prefix); got != len(want) {
			t.Fatalf("step %d: LoginMatches(%q) = %d, the objects give %d", step, prefix, got, len(want))
		}
		if got, want := x.Accounts(ns), inNamespace(accounts, ns); got != want {
			t.Fatalf("step %d: Accounts(%s) = %d, the objects give %d", step, ns, got, want)
		}
	}
}

func randomAdmin(rng *rand.Rand) *tenancyv1alpha1.Admin {
	adm := &tenancyv1alpha1.Admin{}
	adm.Spec.AccountRef.Name = fmt.Sprintf("a%d", rng.IntN(12))
	if rng.IntN(8) == 0 {
		now := metav1.NewTime(epoch)
		adm.DeletionTimestamp = &now
	}
	return adm
}

func serviceUsers(accounts, admins map[types.NamespacedName]string, ns string) int {
	named := map[string]bool{}
	for ref, acct := range admins {
		if ref.Namespace == ns {
			named[acct] = true
		}
	}
	n := 0
	for ref := range accounts {
		if ref.Namespace == ns && !named[ref.Name] {
			n++
		}
	}
	return n
}

func loginsOf(x *Members, prefix string) []string {
	var out []string
	x.Logins(prefix, func(ref types.NamespacedName, folded string) bool {
		out = append(out, folded+" "+ref.String())
		return true
	})
	return out
}

func loginsWith(accounts map[types.NamespacedName]string, prefix string) []string {
	var out []string
	for ref, login := range accounts {
		if f := strings.ToLower(login); strings.HasPrefix(f, strings.ToLower(prefix)) {
			out = append(out, f+" "+ref.String())
		}
	}
	slices.Sort(out)
	return out
}

// inNamespace counts the objects of ns.
func inNamespace[V any](objects map[types.NamespacedName]V, ns string) int {
	n := 0
	for ref := range objects {
		if ref.Namespace == ns {
			n++
		}
	}
	return n
}
