package replicas

import (
	"context"
	"errors"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// leaseKey is the leader-election Lease (controller-runtime's LeaderElectionID in the operator
// namespace).
var leaseKey = client.ObjectKey{Namespace: namespace, Name: "tessera.tenancy.tessera.dev"}

var _ = Describe("Two replicas", func() {
	ctx := context.Background()

	It("hands the controllers over when the leader crashes during a Token burst, and loses no Token", func() {
		acct := groupWithAccount(ctx, "burst", "owner@burst.example")
		bu := startBurst(acct, tokenCreator(ctx, acct), 8, a, b)
		DeferCleanup(func() {
			select {
			case <-bu.stopped:
			default:
				bu.stop()
			}
		})
		// Let a sign some of them first.
		Eventually(func() int { n, _ := bu.count(time.Time{}, time.Now()); return n }, 60*time.Second, 50*time.Millisecond).
			Should(BeNumerically(">=", 30))

		// A leader that could not renew within RenewDeadline (a starved machine) would have
		// stepped down and exited already; that is another test.
		Expect(a.alive()).To(BeTrue(), "a exited before the kill:\n%s", a.logTail())
		Expect(b.elected).NotTo(Receive(), "b took over before the kill")
		lease := &coordinationv1.Lease{}
		Expect(k8s.Get(ctx, leaseKey, lease)).To(Succeed())
		renewed := lease.Spec.RenewTime.Time
		killedAt := a.kill()

		// b may take the lease only once it has seen it unchanged for LeaseDuration: sooner
		// would mean the crash released it. client-go compares lease records whose times are
		// whole seconds, so renewals within one second look alike, and b counts from the first
		// of them: the floor is the last renewal's second plus LeaseDuration. b polls every
		// RetryPeriod, jittered up to 2.2×, so it sees the last renewal at most one poll late
		// and the expiry at most one poll late: 6.2s. On top, the slack the leader itself gets
		// for slow API calls, RenewDeadline.
		bound := leaseDuration + 2*time.Duration(2.2*float64(retryPeriod)) + renewDeadline
		var electedAt time.Time
		Eventually(b.elected, bound).Should(Receive(&electedAt), "b did not take over")
		leader = b
		Expect(electedAt).To(BeTemporally(">=", renewed.Truncate(time.Second).Add(leaseDuration)), "b led before a's lease expired")
		handover := electedAt.Sub(killedAt)

		time.Sleep(2 * time.Second) // the burst goes on under b
		bu.stop()
		stoppedAt := time.Now()
		Expect(b.alive()).To(BeTrue(), "b exited:\n%s", b.logTail())
		Expect(k8s.Get(ctx, leaseKey, lease)).To(Succeed())
		Expect(*lease.Spec.LeaseTransitions).To(BeNumerically(">=", 1))

		// Every Token that exists (including any whose create answer was lost) gets its JWT.
		var tokens []tenancyv1alpha1.Token
		Eventually(func(g Gomega) {
			l := &tenancyv1alpha1.TokenList{}
			g.Expect(k8s.List(ctx, l, client.InNamespace(acct.Namespace))).To(Succeed())
			tokens = l.Items
			for _, t := range tokens {
				s := &corev1.Secret{}
				g.Expect(k8s.Get(ctx, client.ObjectKey{Namespace: t.Namespace, Name: t.Name + "-jwt"}, s)).To(Succeed())
				g.Expect(s.Data["token"]).NotTo(BeEmpty(), "Token %s has no JWT", t.Name)
			}
		}, 60*time.Second, 200*time.Millisecond).Should(Succeed())
		drained := time.Since(stoppedAt)
		created, beforeKill := bu.count(time.Time{}, killedAt)
		_, leaderless := bu.count(killedAt, electedAt)
		Expect(len(tokens)).To(BeNumerically(">=", created), "a Token whose create succeeded is gone")

		// The crashed replica comes back, as its pod would, and follows.
		a = startReplica("a-restarted", logDir, specs["a"])
		a.waitReady()
		Consistently(a.elected, 2*retryPeriod).ShouldNot(Receive(), "the restarted a leads although b holds the lease")

		// Each stored JWT, and each JWT a REST client was handed, verifies through both.
		jwts, signedByB := map[string]bool{}, 0
		for _, t := range tokens {
			s := &corev1.Secret{}
			Expect(k8s.Get(ctx, client.ObjectKey{Namespace: t.Namespace, Name: t.Name + "-jwt"}, s)).To(Succeed())
			jwts[string(s.Data["token"])] = true
			// iat is whole seconds; a was dead seconds before b led, so that second is b's.
			if issuedAt(string(s.Data["token"])) >= electedAt.Unix() {
				signedByB++
			}
		}
		bu.mu.Lock()
		for _, j := range bu.issued {
			jwts[j] = true
		}
		issuedREST := len(bu.issued)
		bu.mu.Unlock()
		Eventually(func() error {
			var errs []error
			for j := range jwts {
				for _, r := range []*replica{a, b} {
					if err := verifyToken(r.restURL, j, acct.Spec.AccountID); err != nil {
						errs = append(errs, fmt.Errorf("replica %s: %w", r.name, err))
					}
				}
			}
			return errors.Join(errs...)
		}, 30*time.Second, 500*time.Millisecond).Should(Succeed())

		AddReportEntry("handover", fmt.Sprintf(
			"a killed %v after its last observed renewal; b led %v after the kill, %v after that renewal (lease %v, renew deadline %v, retry %v); "+
				"every Token had its JWT %v after the burst stopped (2s after b led)\n"+
				"Tokens: %d exist, %d signed by b; %d creates answered success (%d before the kill, %d while no replica led), %d JWTs handed out by REST; "+
				"%d distinct JWTs verified through both replicas\nfailed creates:\n%s",
			killedAt.Sub(renewed).Round(time.Millisecond), handover.Round(time.Millisecond), electedAt.Sub(renewed).Round(time.Millisecond), leaseDuration, renewDeadline, retryPeriod,
			drained.Round(time.Millisecond), len(tokens), signedByB, created, beforeKill, leaderless, issuedREST, len(jwts), bu.failureReport()))
	})

	It("hands the controllers over at once when the leader stops, as in a rolling update", func() {
		old, next := leader, a
		if old == a {
			next = b
		}
		lease := &coordinationv1.Lease{}
		Expect(k8s.Get(ctx, leaseKey, lease)).To(Succeed())
		renewed := lease.Spec.RenewTime.Time
		stoppedAt := old.stop()
		// The stopped replica comes back, as its pod would, and follows (also when this fails, so
		// that the other specs keep two replicas).
		DeferCleanup(func() {
			back := startReplica(old.name+"-back", logDir, old.spec)
			if old == a {
				a = back
			} else {
				b = back
			}
			back.waitReady()
			Consistently(back.elected, 2*retryPeriod).ShouldNot(Receive(), "%s leads although it came back second", back.name)
		})

		// Holding on to the lease, old would keep next out until next had seen it unchanged for
		// LeaseDuration (the crash above); released, next takes it at its next poll.
		var electedAt time.Time
		Eventually(next.elected, leaseDuration+2*time.Duration(2.2*float64(retryPeriod))+renewDeadline).
			Should(Receive(&electedAt), "%s did not take over", next.name)
		leader = next
		Expect(electedAt).To(BeTemporally("<", renewed.Truncate(time.Second).Add(leaseDuration)),
			"%s led only once the lease had expired: %s did not release it", next.name, old.name)
		AddReportEntry("graceful handover", fmt.Sprintf("%s stopped (SIGTERM) %v after its last observed renewal; %s led %v after the stop (lease %v)",
			old.name, stoppedAt.Sub(renewed).Round(time.Millisecond), next.name, electedAt.Sub(stoppedAt).Round(time.Millisecond), leaseDuration))
	})
})
