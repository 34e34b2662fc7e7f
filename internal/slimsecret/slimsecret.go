// Package slimsecret holds a Secret of one data key, as most of Tessera's are (a Token's JWT,
// an Account's password hash), in the manager's cache without the corev1.Secret around it. A
// decoded Secret is a 304-byte struct and a Go map for its one key (a 352-byte group and a
// 48-byte header), about 700 bytes before its strings; Secret is 288 bytes. At 100,000
// Accounts and Tokens the cache holds 200,000 such Secrets.
//
// The cache reader copies every object it returns (DeepCopyObject), and a Secret's copy is the
// whole corev1.Secret it stands for. A reader that asks for no copy gets a view instead
// (ViewInto: index.Cache reads Secrets so), as read-only as any uncopied object. Event handlers
// see the stored Secret: a metav1.Object, whose metadata is the Secret's.
package slimsecret

import (
	"bytes"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Secret is a corev1.Secret whose Data has exactly one key and that sets nothing else beyond
// its metadata and type (decoded objects carry no TypeMeta).
type Secret struct {
	metav1.ObjectMeta
	secretType corev1.SecretType
	key        string
	value      []byte
}

var secretKind = metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"}

// Of returns s slim when that loses nothing, and s itself otherwise; share gives the copy of the
// data key to keep (the cache's shared strings). The slim Secret takes over s's metadata and
// data: s must not be used afterwards.
func Of(s *corev1.Secret, share func(string) string) runtime.Object {
	if len(s.Data) != 1 || s.StringData != nil || s.Immutable != nil || s.TypeMeta != (metav1.TypeMeta{}) {
		return s
	}
	out := &Secret{ObjectMeta: s.ObjectMeta, secretType: s.Type}
	for k, v := range s.Data {
		out.key, out.value = share(k), v
	}
	return out
}

// Whole is the corev1.Secret s stands for, sharing nothing with s.
func (s *Secret) Whole() *corev1.Secret {
	out := &corev1.Secret{Type: s.secretType, Data: map[string][]byte{s.key: bytes.Clone(s.value)}}
	s.DeepCopyInto(&out.ObjectMeta) // ObjectMeta's
	return out
}

// ViewInto makes out the Secret s stands for, sharing s's metadata and data: what the cache
// hands a reader that asked for no copy, who must not modify it.
func (s *Secret) ViewInto(out *corev1.Secret) {
	*out = corev1.Secret{ObjectMeta: s.ObjectMeta, Type: s.secretType, Data: map[string][]byte{s.key: s.value}}
}

// DeepCopyObject returns the whole Secret (see the package comment).
func (s *Secret) DeepCopyObject() runtime.Object { return s.Whole() }

// GetObjectKind says the Secret is a v1 Secret.
func (s *Secret) GetObjectKind() schema.ObjectKind {
	kind := secretKind
	return &kind
}
