package keys

// The Manager creates, reads and updates the key Secret in the operator's namespace; Loaders
// read it on every replica. The manager's ClusterRole already grants these verbs on Secrets.
//
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch;create;update
