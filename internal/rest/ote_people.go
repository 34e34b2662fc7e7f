package rest

// Helpers shared by the APIs that register people themselves (ote-stack under /v1/ and the
// identity API under /api/vX.Y.Z/): one principal model, so a person registered through either
// is an ordinary Account that every API and kubectl see.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/bootstrap"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/index"
)

// RootNamespace is the namespace of the root Group, where people register by default.
var RootNamespace = tenancyv1alpha1.GroupNamespace(bootstrap.RootGroup)

// ErrLoginTaken reports a login another Account holds.
var ErrLoginTaken = errors.New("login already taken")

// ErrGroupLocked reports a write refused because the Group or an ancestor is locked.
var ErrGroupLocked = errors.New("locked")

// DNSName makes a DNS label of at most max characters from s: lower-cased, runs of other
// characters turned into "-", and a short hash of s appended so that different inputs that
// sanitize alike still differ.
func DNSName(prefix, s string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	sum := sha256.Sum256([]byte(s))
	suffix := hex.EncodeToString(sum[:4])
	base := strings.Trim(b.String(), "-")
	room := max - len(prefix) - len(suffix) - 1
	if len(base) > room {
		base = strings.Trim(base[:room], "-")
	}
	if base == "" {
		return prefix + suffix
	}
	return prefix + base + "-" + suffix
}

// PersonAccountName is the object name of the Account of a person who signs in as login.
func PersonAccountName(login string) string { return DNSName("", login, 63) }

// CreatePerson creates acct, then stores its password through credential.Store, and waits until
// the cache shows both, so that the person can sign in at once on this replica. On a failed
// password write the Account is deleted again. Errors: ErrLoginTaken, ErrGroupLocked, or the
// API server's.
func CreatePerson(ctx context.Context, c client.Client, acct *tenancyv1alpha1.Account, password string) error {
	if err := c.Create(ctx, acct); err != nil {
		return ClassifyWrite(err)
	}
	if err := credential.Store(ctx, c, acct, password); err != nil {
		_ = c.Delete(context.WithoutCancel(ctx), acct, client.Preconditions{UID: &acct.UID})
		return err
	}
	return WaitCached(ctx, func(ctx context.Context) (bool, error) {
		got := &tenancyv1alpha1.Account{}
		if err := c.Get(ctx, client.ObjectKeyFromObject(acct), got); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		s := &corev1.Secret{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: acct.Namespace, Name: credential.SecretName(acct.Name)}, s); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		return len(s.Data[credential.HashKey]) > 0, nil
	})
}

// SetPassword stores a new password for acct and waits until the cache shows the new hash.
func SetPassword(ctx context.Context, c client.Client, acct *tenancyv1alpha1.Account, password string) error {
	key := client.ObjectKey{Namespace: acct.Namespace, Name: credential.SecretName(acct.Name)}
	old := &corev1.Secret{}
	if err := c.Get(ctx, key, old); client.IgnoreNotFound(err) != nil {
		return err
	}
	oldHash := string(old.Data[credential.HashKey])
	if err := credential.Store(ctx, c, acct, password); err != nil {
		return ClassifyWrite(err)
	}
	return WaitCached(ctx, func(ctx context.Context) (bool, error) {
		s := &corev1.Secret{}
		if err := c.Get(ctx, key, s); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		return string(s.Data[credential.HashKey]) != oldHash, nil
	})
}

// ClassifyWrite maps admission refusals to ErrLoginTaken and ErrGroupLocked (joined with the
// API server's error), by their causes (Classify); other errors pass unchanged.
func ClassifyWrite(err error) error {
	if err == nil {
		return nil
	}
	switch p := Classify(err); {
	case p.Kind == KindConflict && (p.Names("spec.login") || p.Names("metadata.name")):
		return errors.Join(ErrLoginTaken, err)
	case p.Kind == KindLocked:
		return errors.Join(ErrGroupLocked, err)
	}
	return err
}

// WaitCached polls cond for up to five seconds: long enough for the informer to deliver a
// write, so that a client that got a success sees it on its next request.
func WaitCached(ctx context.Context, cond func(ctx context.Context) (bool, error)) error {
	err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, 5*time.Second, true, cond)
	if wait.Interrupted(err) {
		return nil // written; the cache is just slow
	}
	return err
}

// AdminGrant returns the Admin that makes acct an administrator of its own Group, or nil.
func AdminGrant(ctx context.Context, c client.Reader, acct *tenancyv1alpha1.Account) (*tenancyv1alpha1.Admin, error) {
	list := &tenancyv1alpha1.AdminList{}
	if err := c.List(ctx, list, client.InNamespace(acct.Namespace), client.MatchingFields{index.AdminAccount: acct.Name}); err != nil {
		return nil, err
	}
	for i := range list.Items {
		if list.Items[i].DeletionTimestamp == nil {
			return &list.Items[i], nil
		}
	}
	return nil, nil
}

// IsSystemAdmin reports whether acct holds an Admin grant on the root Group.
func IsSystemAdmin(ctx context.Context, c client.Reader, acct *tenancyv1alpha1.Account) (bool, error) {
	if acct.Namespace != RootNamespace {
		return false, nil
	}
	adm, err := AdminGrant(ctx, c, acct)
	return adm != nil, err
}

// AccountByNumericID finds an Account by its integer id in the cache.
func AccountByNumericID(ctx context.Context, c client.Reader, id string) (*tenancyv1alpha1.Account, error) {
	list := &tenancyv1alpha1.AccountList{}
	if err := c.List(ctx, list, client.MatchingFields{index.AccountNumericID: id}); err != nil {
		return nil, err
	}
	if len(list.Items) == 0 || list.Items[0].DeletionTimestamp != nil {
		return nil, nil
	}
	return &list.Items[0], nil
}

// AccountByUUID finds an Account by its accountID in the cache.
func AccountByUUID(ctx context.Context, c client.Reader, id string) (*tenancyv1alpha1.Account, error) {
	list := &tenancyv1alpha1.AccountList{}
	if err := c.List(ctx, list, client.MatchingFields{index.AccountID: id}); err != nil {
		return nil, err
	}
	if len(list.Items) == 0 || list.Items[0].DeletionTimestamp != nil {
		return nil, nil
	}
	return &list.Items[0], nil
}

// SessionToken takes the token from an Authorization header, raw or as "Bearer <token>".
func SessionToken(header string) string {
	h := strings.TrimSpace(header)
	if scheme, rest, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest)
	}
	if strings.ContainsAny(h, " \t") {
		return ""
	}
	return h
}
