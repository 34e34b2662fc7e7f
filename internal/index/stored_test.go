package index

import (
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/testenv"
)

func TestStoredIsTheCachesOwnObjectAndFollowsIt(t *testing.T) {
	ctx, direct, ca := cluster(t)
	c := ca.(*Cache)
	proto := &tenancyv1alpha1.Group{}
	key := client.ObjectKey{Name: "stored"}
	if _, err := c.Stored(ctx, proto, key); !apierrors.IsNotFound(err) {
		t.Fatalf("a Group the cache does not hold: %v, want NotFound", err)
	}
	g := &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: key.Name}, Spec: tenancyv1alpha1.GroupSpec{Parent: "root", Kind: tenancyv1alpha1.GroupKindEndUserCompany}}
	if err := direct.Create(ctx, g); err != nil {
		t.Fatal(err)
	}
	var first client.Object
	testenv.Eventually(t, "the Group in the cache", func() bool {
		var err error
		first, err = c.Stored(ctx, proto, key)
		return err == nil
	})
	again, err := c.Stored(ctx, proto, key)
	if err != nil || again != first {
		t.Fatalf("a second read gave %p (%v), the first %p: not the cache's one object", again, err, first)
	}
	if first.(*tenancyv1alpha1.Group).UID != g.UID {
		t.Fatalf("stored UID %s, created %s", first.GetUID(), g.UID)
	}
	if err := direct.Delete(ctx, g); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, "the Group gone from the cache", func() bool {
		_, err := c.Stored(ctx, proto, key)
		return apierrors.IsNotFound(err)
	})
}
