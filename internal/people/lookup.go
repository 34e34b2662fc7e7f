package people

import (
	"context"
	"fmt"
	"reflect"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/index"
)

// kinds knows the list type of each Tessera kind, so that ByIndex is typed by the object alone.
var kinds = func() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := tenancyv1alpha1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}()

// ByIndex returns the live object of type T (a pointer to a Tessera kind) whose field index
// holds value, or nil when there is none. The index names one object (login, accountID, integer
// id); objects being deleted do not count. opts narrow the list further (a namespace) or skip
// its copy (client.UnsafeDisableDeepCopy: the caller then must not modify the object).
//
//	acct, err := people.ByIndex[*tenancyv1alpha1.Account](ctx, c, index.AccountID, id)
func ByIndex[T client.Object](ctx context.Context, r client.Reader, field, value string, opts ...client.ListOption) (T, error) {
	var none T
	list, err := listFor(reflect.New(reflect.TypeFor[T]().Elem()).Interface().(client.Object))
	if err != nil {
		return none, err
	}
	if err := r.List(ctx, list, append(opts, client.MatchingFields{field: value})...); err != nil {
		return none, err
	}
	items, err := meta.ExtractList(list) // pointers into list's items
	if err != nil {
		return none, err
	}
	for _, item := range items {
		if obj := item.(T); obj.GetDeletionTimestamp() == nil {
			return obj, nil
		}
	}
	return none, nil
}

// listFor makes an empty list of obj's kind.
func listFor(obj client.Object) (client.ObjectList, error) {
	gvk, err := apiutil.GVKForObject(obj, kinds)
	if err != nil {
		return nil, err
	}
	gvk.Kind += "List"
	list, err := kinds.New(gvk)
	if err != nil {
		return nil, err
	}
	l, ok := list.(client.ObjectList)
	if !ok {
		return nil, fmt.Errorf("%s is not a list", gvk)
	}
	return l, nil
}

// AdminGrant returns the Admin that makes acct an administrator of its own Group, or nil.
func AdminGrant(ctx context.Context, r client.Reader, acct *tenancyv1alpha1.Account) (*tenancyv1alpha1.Admin, error) {
	return ByIndex[*tenancyv1alpha1.Admin](ctx, r, index.AdminAccount, acct.Name, client.InNamespace(acct.Namespace))
}
