package webhook

import (
	"context"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/tree"
)

// countingReader counts the Gets it serves.
type countingReader struct {
	client.Reader
	gets int
}

func (c *countingReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	c.gets++
	return c.Reader.Get(ctx, key, obj, opts...)
}

func groupObj(name, parent string, kind tenancyv1alpha1.GroupKind) *tenancyv1alpha1.Group {
	return &tenancyv1alpha1.Group{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: tenancyv1alpha1.GroupSpec{Parent: parent, Kind: kind}}
}

// A parent that neither the tree nor the cache has seen yet, but the API server has, is found:
// admission never refuses a missing object without asking the API server.
func TestAdmissionAsksTheAPIServerBeforeRefusingAMissingParent(t *testing.T) {
	s := runtime.NewScheme()
	if err := tenancyv1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	forest := &tree.Forest{}
	forest.Set(tree.Node{Name: "root", Kind: int32(tenancyv1alpha1.GroupKindRoot)})
	cache := &countingReader{Reader: fake.NewClientBuilder().WithScheme(s).Build()}
	direct := &countingReader{Reader: fake.NewClientBuilder().WithScheme(s).
		WithObjects(groupObj("fresh", "root", tenancyv1alpha1.GroupKindDistributor)).Build()}
	v := &GroupValidator{lineage: lineage{forest: forest, cache: cache, direct: direct}}
	ctx := context.Background()

	if _, err := v.ValidateCreate(ctx, groupObj("child", "fresh", tenancyv1alpha1.GroupKindEndUserCompany)); err != nil {
		t.Fatalf("a child of a parent only the API server knows was refused: %v", err)
	}
	if cache.gets == 0 || direct.gets == 0 {
		t.Fatalf("the cache (%d reads) and the API server (%d reads) were not both asked", cache.gets, direct.gets)
	}

	direct.gets = 0
	_, err := v.ValidateCreate(ctx, groupObj("orphan", "nowhere", tenancyv1alpha1.GroupKindReseller))
	if !apierrors.IsInvalid(err) || direct.gets == 0 {
		t.Fatalf("a parent missing everywhere: %v after %d API server reads, want Invalid after asking", err, direct.gets)
	}
}
