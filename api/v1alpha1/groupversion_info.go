// Package v1alpha1 holds Tessera's API types: Group, Account, Token and Admin in the
// tenancy.tessera.dev group.
// +kubebuilder:object:generate=true
// +groupName=tenancy.tessera.dev
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group and version of every Tessera kind.
	GroupVersion = schema.GroupVersion{Group: "tenancy.tessera.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the Tessera kinds with a runtime.Scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the Tessera kinds to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
