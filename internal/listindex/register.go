package listindex

import (
	"context"

	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// Lists are the indexes the REST lists page, count and search through, fed by the cache's
// informers: Luna's Accounts and Tokens, and the portal's Members.
type Lists struct {
	Accounts *Accounts
	Tokens   *Tokens
	Members  *Members
	handlers []toolscache.ResourceEventHandlerRegistration
}

// Register makes the indexes and adds their event handlers to c's informers (before or after
// the cache starts: a handler first receives every object the informer has). The handlers see
// a change just after the cache's store does: a writer that must not answer before lists show
// its change waits for Reflects.
func Register(ctx context.Context, c cache.Cache) (*Lists, error) {
	l := &Lists{Accounts: NewAccounts(), Tokens: NewTokens(), Members: NewMembers()}
	accounts, err := c.GetInformer(ctx, &tenancyv1alpha1.Account{})
	if err != nil {
		return nil, err
	}
	tokens, err := c.GetInformer(ctx, &tenancyv1alpha1.Token{})
	if err != nil {
		return nil, err
	}
	admins, err := c.GetInformer(ctx, &tenancyv1alpha1.Admin{})
	if err != nil {
		return nil, err
	}
	for _, h := range []struct {
		informer cache.Informer
		handler  toolscache.ResourceEventHandler
	}{
		{accounts, events(l.Accounts.Apply)},
		{accounts, events(l.Tokens.ApplyAccount)},
		{tokens, events(l.Tokens.Apply)},
		{accounts, events(l.Members.ApplyAccount)},
		{admins, events(l.Members.ApplyAdmin)},
	} {
		reg, err := h.informer.AddEventHandler(h.handler)
		if err != nil {
			return nil, err
		}
		l.handlers = append(l.handlers, reg)
	}
	return l, nil
}

// Synced reports whether every index has received its informers' initial lists (the cache's
// own sync does not wait for handlers).
func (l *Lists) Synced() bool {
	for _, h := range l.handlers {
		if !h.HasSynced() {
			return false
		}
	}
	return true
}

// events calls apply with each object the informer adds or updates, and with nil for one it
// deletes.
func events[T client.Object](apply func(types.NamespacedName, T)) toolscache.ResourceEventHandler {
	set := func(o any) {
		if obj, ok := o.(T); ok {
			apply(client.ObjectKeyFromObject(obj), obj)
		}
	}
	return toolscache.ResourceEventHandlerFuncs{
		AddFunc:    set,
		UpdateFunc: func(_, o any) { set(o) },
		DeleteFunc: func(o any) {
			if gone, ok := o.(toolscache.DeletedFinalStateUnknown); ok {
				o = gone.Obj
			}
			if obj, ok := o.(T); ok {
				var none T
				apply(client.ObjectKeyFromObject(obj), none)
			}
		},
	}
}
