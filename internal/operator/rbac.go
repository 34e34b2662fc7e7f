package operator

// RBAC the manager needs beyond what each controller declares: the REST server and bootstrap
// write every Tessera kind, Secrets hold password hashes, tokens, keys and the webhook
// certificate, a ConfigMap holds the id counters, and the webhook configurations get the CA.
//
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=accounts;tokens;admins,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=accounts/status;tokens/status;admins/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=tenancy.tessera.dev,resources=accounts/finalizers;tokens/finalizers;admins/finalizers,verbs=update
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups="",resources=configmaps,verbs=get;list;watch;create;update
// +kubebuilder:rbac:groups=admissionregistration.k8s.io,resources=mutatingwebhookconfigurations;validatingwebhookconfigurations,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=coordination.k8s.io,resources=leases,verbs=get;list;watch;create;update;delete
