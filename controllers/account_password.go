package controllers

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/password"
)

// passwordState is the outcome of syncing an Account's password.
type passwordState struct {
	// hashSecret names the Account's hash Secret when it holds a hash of this Account.
	hashSecret string
	// changed is true when the stored hash changed (the controller wrote it, or noticed that
	// someone else did).
	changed bool
	// reason and message explain Ready=False; empty when the password is in place.
	reason, message string
}

// keptPasswordNote ends the message of a refused password Secret when an earlier hash stays.
const keptPasswordNote = "; the password stored before stays in use"

// syncPassword makes the Account's hash Secret follow spec.passwordSecretRef, if set, and
// reports whether a hash is stored. The plaintext is read with the APIReader (the cache holds
// only Tessera's Secrets) and only when its Secret changed since the hash was made.
func (r *AccountReconciler) syncPassword(ctx context.Context, acct *tenancyv1alpha1.Account) (passwordState, error) {
	var st passwordState
	key := client.ObjectKey{Namespace: acct.Namespace, Name: credential.SecretName(acct.Name)}
	hashSecret, current, err := r.storedHash(ctx, acct, key)
	if err != nil {
		return st, err
	}
	if current != "" {
		st.hashSecret = hashSecret.Name
	}

	ref := acct.Spec.PasswordSecretRef
	if ref == nil {
		return r.syncUnreferencedPassword(ctx, acct, st, hashSecret, current)
	}

	passwordKey := ref.Key
	if passwordKey == "" {
		passwordKey = tenancyv1alpha1.DefaultPasswordKey
	}
	srcKey := client.ObjectKey{Namespace: acct.Namespace, Name: ref.Name}
	upToDate := func(uid, resourceVersion string) bool {
		return current != "" &&
			hashSecret.Annotations[tenancyv1alpha1.AnnotationPasswordSource] == passwordSource(uid, resourceVersion, passwordKey, ref.Format) &&
			hashSecret.Annotations[tenancyv1alpha1.AnnotationPasswordFingerprint] == fingerprint(current)
	}
	// The caches answer "has the plaintext changed?" without reading it: the metadata cache for
	// other Secrets, the manager's for a Secret labelled as Tessera's.
	if r.secretMeta != nil {
		m := &metav1.PartialObjectMetadata{}
		m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
		if err := r.secretMeta.Get(ctx, srcKey, m); err == nil && upToDate(string(m.UID), m.ResourceVersion) {
			return st, nil
		}
		// Whole, not metadata: a metadata Get would start a second informer in the manager's cache.
		if s := (&corev1.Secret{}); r.Get(ctx, srcKey, s) == nil && upToDate(string(s.UID), s.ResourceVersion) {
			return st, nil
		}
	}
	src := &corev1.Secret{}
	if err := r.APIReader.Get(ctx, srcKey, src); apierrors.IsNotFound(err) {
		st.reason = tenancyv1alpha1.ReasonPasswordSecretMissing
		st.message = fmt.Sprintf("Secret %s named by spec.passwordSecretRef does not exist", ref.Name)
		if current != "" {
			st.message += keptPasswordNote
		}
		return st, nil
	} else if err != nil {
		return st, err
	}
	plaintext := src.Data[passwordKey]
	if len(plaintext) == 0 {
		st.reason = tenancyv1alpha1.ReasonPasswordSecretMissing
		st.message = fmt.Sprintf("Secret %s named by spec.passwordSecretRef has no key %q", ref.Name, passwordKey)
		if current != "" {
			st.message += keptPasswordNote
		}
		return st, nil
	}
	source := passwordSource(string(src.UID), src.ResourceVersion, passwordKey, ref.Format)
	if upToDate(string(src.UID), src.ResourceVersion) {
		return st, nil
	}
	if done, err := r.syncHashFromSecret(ctx, acct, &st, hashSecret, current, string(plaintext), source); done {
		return st, err
	}

	// The Secret changed, maybe only its metadata: keep the stored hash when it still matches,
	// so that a relabelled Secret neither changes the hash nor counts as a password change.
	if current != "" {
		var ok bool
		err := whileHashing(ctx, func() (err error) {
			ok, err = password.Verify(string(plaintext), current)
			return err
		})
		if err == nil && ok {
			orig := hashSecret.DeepCopy()
			if hashSecret.Annotations == nil {
				hashSecret.Annotations = map[string]string{}
			}
			fp := fingerprint(current)
			st.changed = hashSecret.Annotations[tenancyv1alpha1.AnnotationPasswordFingerprint] != fp
			hashSecret.Annotations[tenancyv1alpha1.AnnotationPasswordSource] = source
			hashSecret.Annotations[tenancyv1alpha1.AnnotationPasswordFingerprint] = fp
			return st, r.Patch(ctx, hashSecret, client.MergeFrom(orig))
		}
	}

	w := &hashSecretWriter{Client: r.Client, key: key, source: source}
	if err := whileHashing(ctx, func() error { return credential.Store(ctx, w, acct, string(plaintext)) }); err != nil {
		return st, fmt.Errorf("storing the password hash of Account %s/%s: %w", acct.Namespace, acct.Name, err)
	}
	st.hashSecret, st.changed = key.Name, true
	if r.Recorder != nil && replacedPassword(w.created, current) {
		r.Recorder.Eventf(acct, nil, corev1.EventTypeNormal, tenancyv1alpha1.EventReasonPasswordHashUpdated, "StorePasswordHash",
			"Secret %s changed: updated the password hash in Secret %s", ref.Name, key.Name)
	}
	return st, nil
}

// storedHash reads the Account's hash Secret (nil when absent) and the hash it holds for this
// Account. A Secret of that name that is not this Account's (left over from an earlier Account
// of the same name) holds someone else's password: its hash does not count, and is replaced.
func (r *AccountReconciler) storedHash(ctx context.Context, acct *tenancyv1alpha1.Account,
	key client.ObjectKey) (hashSecret *corev1.Secret, current string, err error) {
	hashSecret = &corev1.Secret{}
	if err := r.Get(ctx, key, hashSecret); apierrors.IsNotFound(err) {
		hashSecret = nil
	} else if err != nil {
		return nil, "", err
	}
	if hashSecret != nil && metav1.IsControlledBy(hashSecret, acct) {
		current = string(hashSecret.Data[credential.HashKey])
	}
	return hashSecret, current, nil
}

// syncUnreferencedPassword is syncPassword for an Account without spec.passwordSecretRef: it
// adopts a pending hash, reports a missing password, or records a hash someone else stored.
func (r *AccountReconciler) syncUnreferencedPassword(ctx context.Context, acct *tenancyv1alpha1.Account,
	st passwordState, hashSecret *corev1.Secret, current string) (passwordState, error) {
	if current == "" && hashSecret != nil {
		// A REST create writes the hash ahead of its Account (credential.Create), and may have
		// died since: the Account finishes it.
		adopted, err := r.adoptPending(ctx, acct, hashSecret)
		if err != nil {
			return st, client.IgnoreNotFound(err)
		}
		if adopted {
			st.hashSecret, st.changed = hashSecret.Name, true
			return st, nil
		}
	}
	if current == "" {
		st.reason = tenancyv1alpha1.ReasonNoPassword
		st.message = "no password is set: set one through a REST API or reference a Secret in spec.passwordSecretRef"
		if hashSecret != nil {
			st.message += fmt.Sprintf(" (Secret %s belongs to another Account)", hashSecret.Name)
		}
		return st, nil
	}
	// Someone else (a REST API, the bootstrap) stores the hash: notice when it changes.
	if fp := fingerprint(current); hashSecret.Annotations[tenancyv1alpha1.AnnotationPasswordFingerprint] != fp {
		orig := hashSecret.DeepCopy()
		if hashSecret.Annotations == nil {
			hashSecret.Annotations = map[string]string{}
		}
		hashSecret.Annotations[tenancyv1alpha1.AnnotationPasswordFingerprint] = fp
		if err := r.Patch(ctx, hashSecret, client.MergeFrom(orig)); err != nil {
			return st, client.IgnoreNotFound(err)
		}
		st.changed = true
	}
	return st, nil
}

// passwordSource is the value of tenancyv1alpha1.AnnotationPasswordSource. A format other than plaintext is
// part of it, so that changing the format alone takes effect (and plaintext sources keep the
// value they had before formats existed).
func passwordSource(uid, resourceVersion, key string, format tenancyv1alpha1.PasswordFormat) string {
	s := "uid=" + uid + ",resourceVersion=" + resourceVersion + ",key=" + key
	if format != "" && format != tenancyv1alpha1.PasswordFormatPlaintext {
		s += ",format=" + string(format)
	}
	return s
}

// syncHashFromSecret applies the rule of spec.passwordSecretRef.format to value, the source
// Secret's value, and reports whether it took care of it (done): with format hash it checks
// the hash (password.Check) and copies it as is into the hash Secret — never hashing it again —
// or refuses it; with format plaintext it refuses a value that has the form of a hash. A
// refusal sets st's reason and leaves the stored hash, if any, in use. Not done: value is a
// plaintext for the caller to hash.
func (r *AccountReconciler) syncHashFromSecret(ctx context.Context, acct *tenancyv1alpha1.Account, st *passwordState,
	hashSecret *corev1.Secret, current, value, source string) (done bool, err error) {
	ref := acct.Spec.PasswordSecretRef
	key := ref.Key
	if key == "" {
		key = tenancyv1alpha1.DefaultPasswordKey
	}
	where := fmt.Sprintf("key %q of Secret %s", key, ref.Name)
	value = strings.TrimSpace(value) // a hash has no spaces; htpasswd and echo end theirs with a newline
	if ref.Format != tenancyv1alpha1.PasswordFormatHash {
		if !password.IsHash(value) {
			return false, nil
		}
		st.reason = tenancyv1alpha1.ReasonPasswordLooksLikeHash
		st.message = "the " + where + " holds what has the form of a password hash, not a plaintext password: " +
			"set spec.passwordSecretRef.format to hash to use it as a hash"
	} else if cerr := password.Check(value); cerr != nil {
		switch {
		case errors.Is(cerr, password.ErrWeakHash):
			st.reason = tenancyv1alpha1.ReasonPasswordHashTooWeak
		case errors.Is(cerr, password.ErrCostlyHash):
			st.reason = tenancyv1alpha1.ReasonPasswordHashTooCostly
		default:
			st.reason = tenancyv1alpha1.ReasonPasswordHashInvalid
		}
		// Check's messages name the parameter at fault, never the hash.
		st.message = "the " + where + " is refused: " + strings.TrimPrefix(cerr.Error(), "password: ")
	}
	if st.reason != "" {
		if current != "" {
			st.message += keptPasswordNote
		}
		return true, nil
	}
	fp := fingerprint(value)
	if value == current {
		// Only the source Secret's metadata changed: record it, keep the hash.
		orig := hashSecret.DeepCopy()
		st.changed = hashSecret.Annotations[tenancyv1alpha1.AnnotationPasswordFingerprint] != fp
		metav1.SetMetaDataAnnotation(&hashSecret.ObjectMeta, tenancyv1alpha1.AnnotationPasswordSource, source)
		metav1.SetMetaDataAnnotation(&hashSecret.ObjectMeta, tenancyv1alpha1.AnnotationPasswordFingerprint, fp)
		return true, r.Patch(ctx, hashSecret, client.MergeFrom(orig))
	}
	w := &hashSecretWriter{Client: r.Client, key: client.ObjectKey{Namespace: acct.Namespace, Name: credential.SecretName(acct.Name)}, source: source}
	if _, err := credential.StoreHash(ctx, w, acct, value); err != nil {
		return true, fmt.Errorf("storing the password hash of Account %s/%s: %w", acct.Namespace, acct.Name, err)
	}
	st.hashSecret, st.changed = w.key.Name, true
	if r.Recorder != nil && replacedPassword(w.created, current) {
		r.Recorder.Eventf(acct, nil, corev1.EventTypeNormal, tenancyv1alpha1.EventReasonPasswordHashCopied, "StorePasswordHash",
			"Secret %s changed: copied the new password hash into Secret %s", ref.Name, w.key.Name)
	}
	return true, nil
}

// replacedPassword tells whether a hash just stored replaced one the Account signed in with,
// which an Event records. An Account's first hash is routine, and its status says so (Ready,
// PasswordHashStored): an Event for each of a burst of new Accounts would be one more write per
// Account, and one more entry in the event recorder's memory for minutes. Tokens do the same
// with their first JWT.
func replacedPassword(created bool, previous string) bool {
	return !created && previous != ""
}

// fingerprint is the value of tenancyv1alpha1.AnnotationPasswordFingerprint for a stored hash.
func fingerprint(hash string) string { return credential.Fingerprint(hash) }

// hashSecretWriter passes credential.Store's writes through, annotating the hash Secret with
// the source and fingerprint of the hash in the same write, so that the hash and the record of
// where it came from never disagree.
type hashSecretWriter struct {
	client.Client
	key     client.ObjectKey
	source  string
	created bool
}

func (w *hashSecretWriter) Create(ctx context.Context, obj client.Object, opts ...client.CreateOption) error {
	w.annotate(obj)
	err := w.Client.Create(ctx, obj, opts...)
	if err == nil && client.ObjectKeyFromObject(obj) == w.key {
		w.created = true
	}
	return err
}

func (w *hashSecretWriter) Update(ctx context.Context, obj client.Object, opts ...client.UpdateOption) error {
	w.annotate(obj)
	return w.Client.Update(ctx, obj, opts...)
}

func (w *hashSecretWriter) annotate(obj client.Object) {
	s, ok := obj.(*corev1.Secret)
	if !ok || client.ObjectKeyFromObject(s) != w.key {
		return
	}
	ann := maps.Clone(s.Annotations)
	if ann == nil {
		ann = map[string]string{}
	}
	ann[tenancyv1alpha1.AnnotationPasswordSource] = w.source
	ann[tenancyv1alpha1.AnnotationPasswordFingerprint] = fingerprint(string(s.Data[credential.HashKey]))
	s.Annotations = ann
}

// maxAccountHashes bounds the argon2id hashes the Account reconciler computes at once: each
// holds password's 19 MiB and a core for tens of milliseconds. Its workers are many more, so
// that everything else an Account needs (a pre-made hash copied, its status after a Group's
// lock, its clean-up) never queues behind a hash.
const maxAccountHashes = 2

var accountHashes = make(chan struct{}, maxAccountHashes)

// whileHashing runs fn, which computes a hash, in one of the maxAccountHashes slots.
func whileHashing(ctx context.Context, fn func() error) error {
	select {
	case accountHashes <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-accountHashes }()
	return fn()
}
