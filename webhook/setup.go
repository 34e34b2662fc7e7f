package webhook

import (
	ctrl "sigs.k8s.io/controller-runtime"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// Setup registers every Tessera webhook with the manager's webhook server.
func Setup(mgr ctrl.Manager, ids IDSource) error {
	if err := ctrl.NewWebhookManagedBy(mgr, &tenancyv1alpha1.Group{}).
		WithDefaulter(&Identifiers[*tenancyv1alpha1.Group]{IDs: ids}).Complete(); err != nil {
		return err
	}
	if err := ctrl.NewWebhookManagedBy(mgr, &tenancyv1alpha1.Account{}).
		WithDefaulter(&Identifiers[*tenancyv1alpha1.Account]{IDs: ids}).Complete(); err != nil {
		return err
	}
	if err := ctrl.NewWebhookManagedBy(mgr, &tenancyv1alpha1.Token{}).
		WithDefaulter(&Identifiers[*tenancyv1alpha1.Token]{IDs: ids}).Complete(); err != nil {
		return err
	}
	return ctrl.NewWebhookManagedBy(mgr, &tenancyv1alpha1.Admin{}).
		WithDefaulter(&Identifiers[*tenancyv1alpha1.Admin]{IDs: ids}).Complete()
}
