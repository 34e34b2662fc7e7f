// Package v1alpha1 holds Tessera's API types: Group, Account, Token and Admin in the
// tenancy.tessera.dev group.
// +kubebuilder:object:generate=true
// +groupName=tenancy.tessera.dev
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of every Tessera kind.
	GroupVersion = schema.GroupVersion{Group: "tenancy.tessera.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the Tessera kinds with a runtime.Scheme.
	SchemeBuilder runtime.SchemeBuilder

	// AddToScheme adds the Tessera kinds to a runtime.Scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// register adds kinds to those SchemeBuilder registers, as controller-runtime's deprecated
// scheme.Builder did: the types under GroupVersion, and the meta types with them.
func register(objects ...runtime.Object) {
	SchemeBuilder.Register(func(s *runtime.Scheme) error {
		s.AddKnownTypes(GroupVersion, objects...)
		metav1.AddToGroupVersion(s, GroupVersion)
		return nil
	})
}
