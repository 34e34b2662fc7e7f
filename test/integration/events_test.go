package integration

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	eventsv1 "k8s.io/api/events/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
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

	It("record lock and unlock on Groups, and re-issue and revoke (not a first issue) on Tokens", func() {
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
		before := jwtOf(ctx, tok)
		// A first issue is routine (status says it); a re-issue replaces a JWT someone holds.
		Eventually(func() error {
			if err := k8s.Get(ctx, client.ObjectKeyFromObject(tok), tok); err != nil {
				return err
			}
			tok.Annotations = map[string]string{tenancyv1alpha1.AnnotationReissue: "evt-1"}
			return k8s.Update(ctx, tok)
		}, 5*time.Second).Should(Succeed())
		Eventually(func() string { return jwtOf(ctx, tok) }, 10*time.Second, 50*time.Millisecond).ShouldNot(Equal(before))
		Eventually(func() []string { return eventReasons(ctx, "Token", "evt-token") }, 10*time.Second, 100*time.Millisecond).
			Should(ContainElement("Reissued"))
		Expect(eventReasons(ctx, "Token", "evt-token")).NotTo(ContainElement("Issued"), "a first issue records no Event")
		Expect(k8s.Delete(ctx, tok)).To(Succeed())
		Eventually(func() []string { return eventReasons(ctx, "Token", "evt-token") }, 10*time.Second, 100*time.Millisecond).
			Should(ContainElement("Revoked"))
	})
})
