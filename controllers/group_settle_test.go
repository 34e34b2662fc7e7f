package controllers

import (
	"context"
	"errors"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/testenv"
	"github.com/tessera-dev/tessera/internal/tree"
)

// A start settles the tenant tree only once every Group that existed is placed in it or gone:
// until then the reconcilers that read locks wait.
func TestSettleForestWaitsForEveryGroupOfTheFirstList(t *testing.T) {
	ctx, _, _, c := testenv.APIServer(t)
	for _, name := range []string{"root", "child"} {
		if err := c.Create(ctx, &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: name}}); err != nil {
			t.Fatal(err)
		}
	}
	forest := &tree.Forest{}
	forest.BeginSettling()
	settled := make(chan error, 1)
	go func() { settled <- settleForest(ctx, c, forest) }()
	stillSettling := func(why string) {
		t.Helper()
		short, cancel := context.WithTimeout(ctx, 5*settlePoll)
		defer cancel()
		if err := forest.WaitSettled(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("the tree settled while %s (%v)", why, err)
		}
	}

	stillSettling("no Group was placed")
	forest.Set(tree.Node{Name: "root"})
	stillSettling("Group child was neither placed nor deleted")

	if err := c.Delete(ctx, &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "child"}}); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-settled:
		if err != nil {
			t.Fatalf("settleForest returned %v", err)
		}
		short, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		if err := forest.WaitSettled(short); err != nil {
			t.Fatalf("settleForest returned, and the tree is not settled: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the tree did not settle once every Group was placed or gone")
	}
}
