package integration

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
)

// eventReasons returns the reasons of the Events regarding the named object, in any namespace.
func eventReasons(ctx context.Context, kind, name string) []string {
	list := &eventsv1.EventList{}
	Expect(k8s.List(ctx, list)).To(Succeed())
	var out []string
	for _, e := range list.Items {
		if e.Regarding.Kind == kind && e.Regarding.Name == name {
			out = append(out, e.Reason)
		}
	}
	return out
}

var _ = Describe("Events", func() {
	ctx := context.Background()

	It("record lock and unlock on Groups, and issue and revoke on Tokens", func() {
		ns := groupNamespace(ctx, "evt-group")
		setLock(ctx, "evt-group", true, "audit")
		Eventually(func() []string { return eventReasons(ctx, "Group", "evt-group") }, 10*time.Second, 100*time.Millisecond).
			Should(ContainElement("Locked"))
		setLock(ctx, "evt-group", false, "")
		Eventually(func() []string { return eventReasons(ctx, "Group", "evt-group") }, 10*time.Second, 100*time.Millisecond).
			Should(ContainElement("Unlocked"))

		Expect(k8s.Create(ctx, newAccount(ns, "evt-owner", "evt-owner@evt.example"))).To(Succeed())
		tok := newToken(ns, "evt-token", "evt-owner")
		Expect(k8s.Create(ctx, tok)).To(Succeed())
		jwtOf(ctx, tok)
		Eventually(func() []string { return eventReasons(ctx, "Token", "evt-token") }, 10*time.Second, 100*time.Millisecond).
			Should(ContainElement("Issued"))
		Expect(k8s.Delete(ctx, tok)).To(Succeed())
		Eventually(func() []string { return eventReasons(ctx, "Token", "evt-token") }, 10*time.Second, 100*time.Millisecond).
			Should(ContainElement("Revoked"))
	})
})
