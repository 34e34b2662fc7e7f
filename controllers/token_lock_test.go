package controllers

import (
	"context"
	"errors"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/testenv"
	"github.com/tessera-dev/tessera/internal/tree"
)

// After a start a Token reads its lock only once the tenant tree has settled. A Token whose
// Group exists but is not placed (a Group created since) keeps the Locked condition it had
// rather than losing it to a guess, and says it must look again; once placed, the tree decides.
func TestTokenLockWaitsForTheTreeToPlaceItsGroup(t *testing.T) {
	ctx, _, _, c := testenv.APIServer(t)
	if err := c.Create(ctx, &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: "g"}}); err != nil {
		t.Fatal(err)
	}
	forest := &tree.Forest{}
	forest.BeginSettling()
	r := &TokenReconciler{Client: c, Forest: forest}
	locked := func() *tenancyv1alpha1.Token {
		tok := &tenancyv1alpha1.Token{ObjectMeta: metav1.ObjectMeta{Namespace: tenancyv1alpha1.GroupNamespace("g"), Name: "t"}}
		setWhileTrue(&tok.Status.Conditions, 1, tenancyv1alpha1.ConditionLocked, true, tenancyv1alpha1.ReasonGroupLocked, "locked by Group g")
		return tok
	}

	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if _, err := r.summarizeLock(short, locked()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("before the tree settled the lock was read (err %v)", err)
	}
	forest.Settle()

	tok := locked()
	placed, err := r.summarizeLock(ctx, tok)
	if err != nil || placed || !meta.IsStatusConditionTrue(tok.Status.Conditions, tenancyv1alpha1.ConditionLocked) {
		t.Fatalf("a Group the tree has not placed: placed %v, err %v, conditions %v", placed, err, tok.Status.Conditions)
	}

	forest.Set(tree.Node{Name: "g"})
	tok = locked()
	if placed, err := r.summarizeLock(ctx, tok); err != nil || !placed || meta.FindStatusCondition(tok.Status.Conditions, tenancyv1alpha1.ConditionLocked) != nil {
		t.Fatalf("a placed, unlocked Group: placed %v, err %v, conditions %v", placed, err, tok.Status.Conditions)
	}

	gone := locked()
	gone.Namespace = tenancyv1alpha1.GroupNamespace("deleted")
	if placed, err := r.summarizeLock(ctx, gone); err != nil || !placed || meta.FindStatusCondition(gone.Status.Conditions, tenancyv1alpha1.ConditionLocked) != nil {
		t.Fatalf("a Group that does not exist: placed %v, err %v, conditions %v", placed, err, gone.Status.Conditions)
	}
}
