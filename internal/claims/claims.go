// Package claims keeps identifiers unique across the cluster, even when several creates of one
// value race: logins, UUIDs, integer ids and e-mail logins. Each value is claimed by creating a
// Lease, in the operator's namespace, whose name derives from its kind, field and value; the API
// server lets exactly one create of a name succeed. A claim whose holder is gone, is being
// deleted or no longer carries the value is stale and is taken over.
package claims

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// StaleAfter is how long a claim whose holder is missing or does not carry the value is kept:
// longer than any admission request, so that a create or update still in flight, whose object
// the API server has not stored yet, is never overtaken. A holder being deleted loses its
// claims at once.
const StaleAfter = 30 * time.Second

// TakenError reports a value another object holds.
type TakenError struct {
	// Key is the value asked for.
	Key Key
	// Holder is "namespace/name" of the object holding it ("/name" for a Group), or a
	// description such as "a concurrent request".
	Holder string
}

func (e *TakenError) Error() string {
	f := e.Key.Field
	value := fmt.Sprintf("%q", e.Key.Value)
	if f.numeric {
		value = e.Key.Value
	}
	holder := e.Holder
	if ns, name, ok := splitHolder(e.Holder); ok {
		holder = f.Kind + " " + strings.TrimPrefix(ns+"/"+name, "/")
	}
	msg := fmt.Sprintf("%s %s is already taken by %s", f.Noun, value, holder)
	if f.numeric {
		// A generated id can lose to one a client chose from the allocator's range.
		msg += fmt.Sprintf("; leave %s out to be assigned a free one (if you did, retry)", f.Path)
	}
	return msg
}

// IsTaken reports whether err is, or joins, a *TakenError.
func IsTaken(err error) bool {
	_, ok := errors.AsType[*TakenError](err)
	return ok
}

// Taken returns every *TakenError err is or joins.
func Taken(err error) []*TakenError {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs := j.Unwrap()
		out := make([]*TakenError, 0, len(errs))
		for _, e := range errs {
			out = append(out, Taken(e)...)
		}
		return out
	}
	if t, ok := errors.AsType[*TakenError](err); ok {
		return []*TakenError{t}
	}
	return nil
}

// Claims claims and releases values in the operator's namespace.
type Claims struct {
	// Client must read from the API server, not a cache: claims need the latest state.
	Client client.Client
	// Namespace holds the claim Leases: the operator's own, so that one name is one claim
	// across the cluster and tenants cannot touch them.
	Namespace string
	// Cache, when set, is asked first: it names an existing holder without an API call, and it
	// knows objects created before their values were claimed.
	Cache client.Reader
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Holder is the holder identity of obj: "namespace/name", or "/name" for a Group.
func Holder(obj client.Object) types.NamespacedName { return client.ObjectKeyFromObject(obj) }

// Claim gives key to holder. It fails with *TakenError when another object holds it.
func (c *Claims) Claim(ctx context.Context, key Key, holder types.NamespacedName) error {
	acquired, err := c.claim(ctx, key, holder)
	if err != nil && acquired {
		_ = c.Release(context.WithoutCancel(ctx), key, holder)
	}
	return err
}

// ClaimAll claims every key for holder, concurrently. When any fails, the claims this call
// acquired are released again, so that a refused request blocks nothing; the error joins
// every *TakenError (and any other failure).
func (c *Claims) ClaimAll(ctx context.Context, keys []Key, holder types.NamespacedName) error {
	acquired := make([]bool, len(keys))
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Go(func() { acquired[i], errs[i] = c.claim(ctx, k, holder) })
	}
	wg.Wait()
	err := errors.Join(errs...)
	if err == nil {
		return nil
	}
	for i, k := range keys {
		if acquired[i] {
			_ = c.Release(context.WithoutCancel(ctx), k, holder)
		}
	}
	return err
}

// Check reports, without writing, whether ClaimAll would fail on a *TakenError: for dry-run
// requests, which must leave no claim behind.
func (c *Claims) Check(ctx context.Context, keys []Key, holder types.NamespacedName) error {
	var errs []error
	for _, k := range keys {
		if err := c.Cached(ctx, k, holder); err != nil {
			errs = append(errs, err)
			continue
		}
		lease := &coordinationv1.Lease{}
		err := c.Client.Get(ctx, types.NamespacedName{Namespace: c.Namespace, Name: k.LeaseName()}, lease)
		if apierrors.IsNotFound(err) {
			errs = append(errs, c.live(ctx, k, holder))
			continue
		}
		if err == nil {
			err = c.heldByOther(ctx, lease, k, holder.String())
		}
		if err == nil {
			err = c.live(ctx, k, holder)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// claim claims key; acquired reports whether this call created or took over the Lease (also
// when it then fails: the live check comes after the Lease, and the caller releases it).
func (c *Claims) claim(ctx context.Context, key Key, holder types.NamespacedName) (acquired bool, err error) {
	if err := c.Cached(ctx, key, holder); err != nil {
		return false, err
	}
	acquired, err = c.claimLease(ctx, key, holder)
	if err == nil {
		err = c.live(ctx, key, holder)
	}
	return acquired, err
}

// claimLease creates or takes over key's Lease for holder.
func (c *Claims) claimLease(ctx context.Context, key Key, holder types.NamespacedName) (acquired bool, err error) {
	now := metav1.NewMicroTime(c.now())
	id := holder.String()
	lease := &coordinationv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Namespace: c.Namespace, Name: key.LeaseName(),
			Labels: map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue,
				tenancyv1alpha1.LabelClaim: key.Field.label()},
			Annotations: map[string]string{tenancyv1alpha1.AnnotationClaimValue: key.Value}},
		Spec: coordinationv1.LeaseSpec{HolderIdentity: &id, AcquireTime: &now},
	}
	err = c.Client.Create(ctx, lease)
	if err == nil || !apierrors.IsAlreadyExists(err) {
		return err == nil, err
	}
	if err := c.Client.Get(ctx, client.ObjectKeyFromObject(lease), lease); err != nil {
		return false, err
	}
	if err := c.heldByOther(ctx, lease, key, id); err != nil {
		return false, err
	}
	if holderOf(lease) == id {
		return false, nil
	}
	// Take the stale claim over; the resourceVersion makes this exclusive too.
	lease.Spec.HolderIdentity, lease.Spec.AcquireTime = &id, &now
	if err := c.Client.Update(ctx, lease); err != nil {
		if apierrors.IsConflict(err) {
			return false, &TakenError{Key: key, Holder: "a concurrent request"}
		}
		return false, err
	}
	return true, nil
}

// Cached fails with *TakenError when the cache shows a live object other than holder carrying
// key: a look without an API call, which misses claims still in flight; nil without a Cache.
func (c *Claims) Cached(ctx context.Context, key Key, holder types.NamespacedName) error {
	if c.Cache == nil || key.Field.Index == "" {
		return nil
	}
	return heldIn(ctx, c.Cache, key.Field.Index, key, holder)
}

// heldIn fails with *TakenError when r, listing by the field index or selector by, shows a
// live object other than holder carrying key.
func heldIn(ctx context.Context, r client.Reader, by string, key Key, holder types.NamespacedName) error {
	list := key.Field.newList()
	if err := r.List(ctx, list, client.MatchingFields{by: key.Value}); err != nil {
		return err
	}
	objs, err := meta.ExtractList(list)
	if err != nil {
		return err
	}
	for _, o := range objs {
		obj := o.(client.Object)
		if Holder(obj) != holder && obj.GetDeletionTimestamp() == nil && key.Field.value(obj) == key.Value {
			return &TakenError{Key: key, Holder: Holder(obj).String()}
		}
	}
	return nil
}

// heldByOther fails with *TakenError when lease is a live claim of someone other than holder.
func (c *Claims) heldByOther(ctx context.Context, lease *coordinationv1.Lease, key Key, holder string) error {
	current := holderOf(lease)
	if current == holder {
		return nil
	}
	stale, err := c.stale(ctx, lease, key, current)
	if err != nil || stale {
		return err
	}
	return &TakenError{Key: key, Holder: current}
}

// stale reports whether a claim no longer protects anyone: its holder is being deleted, or it
// is gone or carries another value and the claim is older than any admission request could be.
func (c *Claims) stale(ctx context.Context, lease *coordinationv1.Lease, key Key, holder string) (bool, error) {
	ns, name, ok := splitHolder(holder)
	if !ok {
		return true, nil
	}
	obj := key.Field.newObject()
	err := c.Client.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, obj)
	switch {
	case err == nil && obj.GetDeletionTimestamp() != nil:
		return true, nil
	case err == nil && key.Field.value(obj) == key.Value:
		return false, nil
	case err != nil && !apierrors.IsNotFound(err):
		return false, err
	}
	young := lease.Spec.AcquireTime != nil && c.now().Sub(lease.Spec.AcquireTime.Time) < StaleAfter
	return !young, nil
}

// Release drops holder's claim on key, if it still holds it.
func (c *Claims) Release(ctx context.Context, key Key, holder types.NamespacedName) error {
	lease := &coordinationv1.Lease{}
	err := c.Client.Get(ctx, types.NamespacedName{Namespace: c.Namespace, Name: key.LeaseName()}, lease)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if holderOf(lease) != holder.String() {
		return nil
	}
	err = c.Client.Delete(ctx, lease, client.Preconditions{ResourceVersion: &lease.ResourceVersion})
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil
	}
	return err
}

// ReleaseAll drops every claim obj holds: for an object that is going away.
func (c *Claims) ReleaseAll(ctx context.Context, obj client.Object) error {
	keys := Keys(obj)
	errs := make([]error, 0, len(keys))
	for _, k := range keys {
		errs = append(errs, c.Release(ctx, k, Holder(obj)))
	}
	return errors.Join(errs...)
}

func (c *Claims) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func holderOf(lease *coordinationv1.Lease) string {
	if lease.Spec.HolderIdentity == nil {
		return ""
	}
	return *lease.Spec.HolderIdentity
}

// splitHolder splits "namespace/name" or "/name"; ok is false for anything else.
func splitHolder(h string) (ns, name string, ok bool) {
	ns, name, found := strings.Cut(h, "/")
	return ns, name, found && name != "" && !strings.Contains(name, "/")
}
