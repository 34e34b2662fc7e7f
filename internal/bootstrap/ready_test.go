package bootstrap

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/tree"
)

func TestReadinessWaitsForTheBootstrap(t *testing.T) {
	ctx := context.Background()
	s := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(s)
	_ = tenancyv1alpha1.AddToScheme(s)
	c := fake.NewClientBuilder().WithScheme(s).Build()
	synced := false
	r := &Readiness{Cache: c, Forest: &tree.Forest{}, Admin: true,
		Synced: func(context.Context) bool { return synced }}

	expect := func(want string) {
		t.Helper()
		err := r.Check(ctx)
		if want == "" && err != nil {
			t.Fatalf("Check = %v, want ready", err)
		}
		if want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Fatalf("Check = %v, want an error naming %q", err, want)
		}
	}
	expect("caches")
	synced = true
	expect("root Group")
	r.Forest.Set(tree.Node{Name: tenancyv1alpha1.RootGroupName})
	expect("Account")
	ns := tenancyv1alpha1.GroupNamespace(tenancyv1alpha1.RootGroupName)
	objs := []client.Object{
		&tenancyv1alpha1.Account{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: AdminName}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: credential.SecretName(AdminName)}},
		&tenancyv1alpha1.Admin{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: AdminName}},
	}
	for i, want := range []string{"password hash Secret", "Admin grant", ""} {
		if err := c.Create(ctx, objs[i]); err != nil {
			t.Fatal(err)
		}
		expect(want)
	}
	// Ready stays ready.
	for _, o := range objs {
		_ = c.Delete(ctx, o)
	}
	synced = false
	expect("")
}

func TestReadinessWithoutAnAdministratorNeedsOnlyTheRoot(t *testing.T) {
	r := &Readiness{Cache: fake.NewClientBuilder().Build(), Forest: &tree.Forest{},
		Synced: func(context.Context) bool { return true }}
	if err := r.Check(context.Background()); err == nil {
		t.Fatal("ready without the root Group")
	}
	r.Forest.Set(tree.Node{Name: tenancyv1alpha1.RootGroupName})
	if err := r.Checker(nil); err != nil {
		t.Fatalf("not ready with the root Group and no administrator configured: %v", err)
	}
}
