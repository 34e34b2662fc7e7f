package verify

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
)

func revocationScheme(t *testing.T) *runtime.Scheme {
	s := runtime.NewScheme()
	if err := corev1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	return s
}

// A sign-out answered by another replica counts on this one although its watch (here one that
// never delivers) has not seen it.
func TestRevokedSeesASignOutTheWatchHasNotDelivered(t *testing.T) {
	ctx := context.Background()
	scheme := revocationScheme(t)
	server := fake.NewClientBuilder().WithScheme(scheme).Build()
	stale := fake.NewClientBuilder().WithScheme(scheme).Build()
	writer := &SessionRevocations{Reader: stale, Client: server, APIReader: server, Namespace: "ns"}
	reader := &SessionRevocations{Reader: stale, Client: server, APIReader: server, Namespace: "ns"}
	reader.MarkSynced()

	if revoked, err := reader.Revoked(ctx, "jti-1"); err != nil || revoked {
		t.Fatalf("before any sign-out: revoked %v, err %v", revoked, err)
	}
	if err := writer.Revoke(ctx, "jti-1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if revoked, err := reader.Revoked(ctx, "jti-1"); err != nil || !revoked {
		t.Fatalf("after the sign-out: revoked %v, err %v", revoked, err)
	}
	if revoked, err := reader.Revoked(ctx, "jti-2"); err != nil || revoked {
		t.Fatalf("another session: revoked %v, err %v", revoked, err)
	}
}

// Concurrent checks share the API server reads: one in flight, and one more for all who came
// while it was.
func TestRevokedSharesReadsOfTheAPIServer(t *testing.T) {
	ctx := context.Background()
	scheme := revocationScheme(t)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: RevokedSessionsConfigMap},
		Data: map[string]string{"old": "9999999999"}}
	var gets atomic.Int32
	first := make(chan struct{})
	server := fake.NewClientBuilder().WithScheme(scheme).WithObjects(cm.DeepCopy()).WithInterceptorFuncs(interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			if gets.Add(1) == 1 {
				<-first
			}
			return c.Get(ctx, key, obj, opts...)
		},
	}).Build()
	watched := fake.NewClientBuilder().WithScheme(scheme).WithObjects(cm.DeepCopy()).Build()
	r := &SessionRevocations{Reader: watched, APIReader: server, Namespace: "ns"}
	r.MarkSynced()

	var wg sync.WaitGroup
	var started atomic.Int32
	check := func() {
		defer wg.Done()
		started.Add(1)
		if revoked, err := r.Revoked(ctx, "new"); err != nil || revoked {
			t.Errorf("revoked %v, err %v", revoked, err)
		}
	}
	wg.Add(1)
	go check()
	for deadline := time.Now().Add(5 * time.Second); gets.Load() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			close(first)
			t.Fatal("a check not on the watched copy did not ask the API server")
		}
	}
	for range 50 {
		wg.Add(1)
		go check()
	}
	// Let them all join the next round, however busy the machine: started, then a moment to
	// reach the round they wait on.
	for started.Load() < 51 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	close(first)
	wg.Wait()
	if n := gets.Load(); n > 3 {
		t.Fatalf("51 concurrent checks made %d reads of the API server, want 2 (3 if one came late)", n)
	}
}

// Of concurrent spends of one token from two replicas, exactly one succeeds; the others find it
// spent. Revoking stays idempotent.
func TestSpendSucceedsOnce(t *testing.T) {
	ctx := context.Background()
	server := fake.NewClientBuilder().WithScheme(revocationScheme(t)).Build()
	replicas := []*SessionRevocations{
		{Reader: server, Client: server, APIReader: server, Namespace: "ns"},
		{Reader: server, Client: server, APIReader: server, Namespace: "ns"},
	}
	exp := time.Now().Add(time.Hour)
	var won, spent atomic.Int32
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			switch err := replicas[i%2].Spend(ctx, "action-1", exp); {
			case err == nil:
				won.Add(1)
			case errors.Is(err, ErrAlreadySpent):
				spent.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 || spent.Load() != 9 {
		t.Errorf("%d spends succeeded and %d found the token spent; want 1 and 9", won.Load(), spent.Load())
	}
	if err := replicas[0].Revoke(ctx, "action-1", exp); err != nil {
		t.Errorf("revoking a spent token: %v", err)
	}
}
