package v1alpha1

// AccountPortal is what the portal API (seed 002, /api/1/) keeps about an Account beyond its
// profile: the postal address of its contact, and for a service user (an Account without an
// Admin grant) the settings the portal shows on /users/{user}. An administrator's role bits
// and notifications live on its Admin instead. Every field is optional; the portal answers the
// seed's defaults for those unset.
type AccountPortal struct {
	// address is the postal part of the portal's contact object (the names, e-mail and phone
	// are in spec.profile).
	// +optional
	Address PostalAddress `json:"address,omitempty,omitzero"`

	// roles is the portal's role bitmask of a service user (Buyer 1). Defaults to 0.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1
	// +optional
	Roles int32 `json:"roles,omitempty"`

	// privileged is the portal's "user is privileged" flag of a service user. Defaults to false.
	// +optional
	Privileged bool `json:"privileged,omitempty"`

	// privileges are a service user's quotas_and_privileges, by the seed's keys (quotas such as
	// quota_servers_hard, counts, and local_backup as 0/1); a key absent takes the portal's
	// default (quotas unlimited, -1; counts 0; local_backup 1). The portal accepts only the
	// seed's keys.
	// +kubebuilder:validation:MaxProperties=32
	// +optional
	Privileges map[string]int64 `json:"privileges,omitempty"`

	// backupMonitorDisabled is the seed's backup.monitor: the backup tray monitor is disabled.
	// Defaults to false.
	// +optional
	BackupMonitorDisabled bool `json:"backupMonitorDisabled,omitempty"`

	// agentsAutoupdateDisabled turns the seed's agents.autoupdate off for the service user's
	// agents. Defaults to false (autoupdate on).
	// +optional
	AgentsAutoupdateDisabled bool `json:"agentsAutoupdateDisabled,omitempty"`

	// notifications are a service user's notification subscriptions, as an Admin's are.
	// +optional
	Notifications AdminNotifications `json:"notifications,omitempty,omitzero"`

	// termsAccepted records that the person accepted the EULA. Defaults to false.
	// +optional
	TermsAccepted bool `json:"termsAccepted,omitempty"`
	// platformTermsAccepted records that the person accepted the platform terms. Defaults to
	// false.
	// +optional
	PlatformTermsAccepted bool `json:"platformTermsAccepted,omitempty"`
	// privacyPolicyAccepted records that the person accepted the privacy policy. Defaults to
	// false.
	// +optional
	PrivacyPolicyAccepted bool `json:"privacyPolicyAccepted,omitempty"`
}

// PostalAddress is a postal address, as the portal's contact object holds it. Every field is
// free text and optional.
type PostalAddress struct {
	// address1 is the first line of the address.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Address1 string `json:"address1,omitempty"`
	// address2 is the second line of the address.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Address2 string `json:"address2,omitempty"`
	// city of the address.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	City string `json:"city,omitempty"`
	// state or region of the address.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	State string `json:"state,omitempty"`
	// country of the address.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	Country string `json:"country,omitempty"`
	// zipcode of the address.
	// +kubebuilder:validation:MaxLength=32
	// +optional
	Zipcode string `json:"zipcode,omitempty"`
}
