package controllers

import (
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/selection"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// PasswordSecretCacheOptions configure the Account reconciler's metadata-only cache of Secrets,
// which notices changes of the Secrets that spec.passwordSecretRef names. It leaves out
// Tessera's own Secrets (a JWT Secret per Token, a hash Secret per Account: most Secrets at
// scale), which the manager's cache holds whole already; a password Secret labelled as
// Tessera's is followed through that cache instead.
func PasswordSecretCacheOptions(scheme *runtime.Scheme, mapper meta.RESTMapper) cache.Options {
	notTessera, err := labels.NewRequirement(tenancyv1alpha1.LabelManagedBy, selection.NotEquals,
		[]string{tenancyv1alpha1.ManagedByValue})
	if err != nil {
		panic(err) // a constant requirement
	}
	return cache.Options{
		Scheme: scheme, Mapper: mapper,
		DefaultTransform: cache.TransformStripManagedFields(),
		// The cache holds Secrets only.
		DefaultLabelSelector: labels.NewSelector().Add(*notTessera),
	}
}
