package operator

import (
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/slimsecret"
)

// The cache holds every Account, Token and Tessera Secret, each decoded with strings of its own,
// although most of their strings are the same in every object: the namespace, label and
// annotation keys, owner kinds, finalizers, condition types, reasons and messages. compact
// makes equal strings share one copy as objects enter the cache. It changes no value, and drops
// only what trim.go names, so a writer that updates an object read from the cache writes back
// what it read: that is why it mostly shares rather than drops (the REST APIs and the portal
// Update whole objects, and a dropped annotation such as kubectl's last-applied-configuration
// would be wiped by them).

// maxShared bounds the shared strings: when the table is full it starts afresh, so strings seen
// once (a unique condition message) cannot hold it, and frequent ones come back at once.
const maxShared = 8192

// maxSharedLen leaves long strings (annotation values, JWTs) alone: rarely equal, costly to hash.
const maxSharedLen = 128

// interner hands out one copy of each string it has seen. Informers transform concurrently.
type interner struct {
	mu   sync.Mutex
	seen map[string]string
}

func (in *interner) s(v string) string {
	if v == "" || len(v) > maxSharedLen {
		return v
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if c, ok := in.seen[v]; ok {
		return c
	}
	if len(in.seen) >= maxShared || in.seen == nil {
		in.seen = make(map[string]string, maxShared)
	}
	in.seen[v] = v
	return v
}

func (in *interner) strings(vs []string) {
	for i := range vs {
		vs[i] = in.s(vs[i])
	}
}

func (in *interner) stringMap(m map[string]string) map[string]string {
	if len(m) == 0 {
		return m
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[in.s(k)] = in.s(v)
	}
	return out
}

func (in *interner) meta(o metav1.Object) {
	o.SetNamespace(in.s(o.GetNamespace()))
	o.SetLabels(in.stringMap(o.GetLabels()))
	o.SetAnnotations(in.stringMap(o.GetAnnotations()))
	fin := o.GetFinalizers()
	in.strings(fin)
	refs := o.GetOwnerReferences()
	for i := range refs {
		refs[i].APIVersion, refs[i].Kind, refs[i].Name = in.s(refs[i].APIVersion), in.s(refs[i].Kind), in.s(refs[i].Name)
	}
}

func (in *interner) conditions(cs []metav1.Condition) {
	for i := range cs {
		c := &cs[i]
		c.Type, c.Status, c.Reason, c.Message = in.s(c.Type), metav1.ConditionStatus(in.s(string(c.Status))), in.s(c.Reason), in.s(c.Message)
	}
}

// compact is the transform that shares the strings of the objects the manager caches, after
// leaving out what trim.go says no reader reads, and holds Secrets of one key slim
// (slimsecret).
func (in *interner) compact(obj any) (any, error) {
	trim(obj)
	if o, ok := obj.(client.Object); ok {
		in.meta(o)
	}
	switch o := obj.(type) {
	case *tenancyv1alpha1.Account:
		o.Spec.Approval = tenancyv1alpha1.ApprovalState(in.s(string(o.Spec.Approval)))
		o.Spec.Type = tenancyv1alpha1.AccountType(in.s(string(o.Spec.Type)))
		if ref := o.Spec.PasswordSecretRef; ref != nil {
			ref.Name, ref.Key, ref.Format = in.s(ref.Name), in.s(ref.Key), tenancyv1alpha1.PasswordFormat(in.s(string(ref.Format)))
		}
		o.Status.Group = in.s(o.Status.Group)
		in.conditions(o.Status.Conditions)
	case *tenancyv1alpha1.Token:
		o.Spec.AccountRef.Name = in.s(o.Spec.AccountRef.Name)
		o.Spec.VisibilityArea = tenancyv1alpha1.VisibilityArea(in.s(string(o.Spec.VisibilityArea)))
		o.Status.KeyID = in.s(o.Status.KeyID)
		if o.Status.TokenID == o.Spec.TokenID {
			o.Status.TokenID = o.Spec.TokenID // one copy: status repeats the spec's
		}
		in.conditions(o.Status.Conditions)
	case *tenancyv1alpha1.Group:
		in.conditions(o.Status.Conditions)
	case *tenancyv1alpha1.Admin:
		in.conditions(o.Status.Conditions)
	case *corev1.Secret:
		o.Type = corev1.SecretType(in.s(string(o.Type)))
		return slimsecret.Of(o, in.s), nil
	}
	return obj, nil
}

// cacheTransform strips managed fields (no reader uses them, and an Update without them keeps
// the server's) and shares repeated strings.
func cacheTransform() toolscache.TransformFunc {
	strip, in := cache.TransformStripManagedFields(), &interner{}
	return func(obj any) (any, error) {
		obj, err := strip(obj)
		if err != nil {
			return obj, err
		}
		return in.compact(obj)
	}
}
