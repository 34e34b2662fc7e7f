package v1alpha1

// GroupPortal is what the portal API (seed 002) shows and sets of a Group beyond the rest of
// GroupSpec: its status, commercial fields, quotas, pricing, agent updates and branding. Every
// field is optional; an absent one takes the default its comment names. Changing any of them
// moves metadata.generation, which the portal answers as the group's `version`.
type GroupPortal struct {
	// enabled is the portal's group status (`status`: "group is enabled"). Unset means true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`

	// capabilities is the portal's capability bitmask of the Group (GroupsCapability): backup 1,
	// branding 2, children 4, isolation 8, modification 16, custom pricing 32, custom price 64,
	// require customer id 128, custom storage 256. Defaults to 0.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=511
	// +optional
	Capabilities int64 `json:"capabilities,omitempty"`

	// customerID is the customer's identifier in an outside system (`customer_id`). Unset
	// shows as null.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	CustomerID *string `json:"customerID,omitempty"`

	// customerType is the portal's opaque customer type (`customer_type`). Defaults to 0.
	// +kubebuilder:validation:Minimum=0
	// +optional
	CustomerType int64 `json:"customerType,omitempty"`

	// defaultIdentityProviderID is the id of the Group's default identity provider
	// (`default_identity_provider_id`). Defaults to 0, none.
	// +kubebuilder:validation:Minimum=0
	// +optional
	DefaultIdentityProviderID int64 `json:"defaultIdentityProviderID,omitempty"`

	// external marks a Group managed by an outside system (`external`). Defaults to false.
	// +optional
	External bool `json:"external,omitempty"`

	// internalTag is a free tag for the operator's own use (`internal_tag`). Unset shows as null.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	InternalTag *string `json:"internalTag,omitempty"`

	// migrationEnabled turns the backup agent migration on (`migration_enabled`). Unset shows as
	// null.
	// +optional
	MigrationEnabled *bool `json:"migrationEnabled,omitempty"`

	// migrationService is the URL of the backup agent portal (`migration_service`).
	// +kubebuilder:validation:MaxLength=256
	// +optional
	MigrationService string `json:"migrationService,omitempty"`

	// parentHasAccess says whether the parent Group's administrators may act in this Group
	// (`parent_has_access`). Unset means true.
	// +optional
	ParentHasAccess *bool `json:"parentHasAccess,omitempty"`

	// billing is the Group's billing contact (`billing`); spec.contact is its main contact.
	// +optional
	Billing Contact `json:"billing,omitempty,omitzero"`

	// storage is the Group's backup storage (`storage`). Unset shows the portal's placeholder
	// {"id": null, "uuid": null, "name": ""}.
	// +optional
	Storage *GroupStorage `json:"storage,omitempty"`

	// preferredBackupServer is the id of the backup server new agents of the Group prefer
	// (`preferred_backup_server` on create).
	// +kubebuilder:validation:Minimum=0
	// +optional
	PreferredBackupServer *int64 `json:"preferredBackupServer,omitempty"`

	// privileges are the Group's quotas and local backup privileges (`privileges`).
	// +optional
	Privileges GroupPrivileges `json:"privileges,omitempty,omitzero"`

	// pricing is the Group's pricing (`pricing`). Unset shows mode 2 (demo) for companies
	// (kind 40) and 1 (production) otherwise, as the portal's PricingDefaultModes say.
	// +optional
	Pricing *GroupPricing `json:"pricing,omitempty"`

	// agentsAutoupdate lets the backup agents of the Group update themselves
	// (`agents.autoupdate`, GET|POST /groups/{group}/settings/agents_autoupdate). Unset means
	// true.
	// +optional
	AgentsAutoupdate *bool `json:"agentsAutoupdate,omitempty"`

	// branding is the Group's own brand (GET|POST|PUT|DELETE /groups/{group}/brand) and logo.
	// +optional
	Branding GroupBranding `json:"branding,omitempty,omitzero"`
}

// GroupStorage names a Group's backup storage.
type GroupStorage struct {
	// id of the storage. Unset shows as null.
	// +kubebuilder:validation:Minimum=0
	// +optional
	ID *int64 `json:"id,omitempty"`
	// uuid of the storage. Unset shows as null.
	// +kubebuilder:validation:MaxLength=36
	// +optional
	UUID *string `json:"uuid,omitempty"`
	// name of the storage. Defaults to "".
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Name string `json:"name,omitempty"`
}

// GroupPrivileges are the portal's quotas_and_privileges of a Group.
type GroupPrivileges struct {
	// quotas are the portal's quota and count values by their portal names:
	// quota_mailbox_instance_storage, quota_mailboxes_hard, quota_websites_hard,
	// quota_universal_devices_hard, quota_mobiles_hard, quota_servers_hard, quota_storage_hard,
	// quota_local_storage_hard, quota_virtualhosts_hard, quota_vms_hard,
	// quota_win_server_essentials_hard, quota_workstations_hard (a quota absent or -1 is
	// unlimited), storage_size, local_storage_size, workstation_count, server_count, vm_count,
	// mobile_count, virtualhost_count, win_server_essential_count, mailbox_count, website_count,
	// universal_devices_count, subscription_expiration, cloud_to_cloud_backup (absent: 0), and
	// visible and permitted (absent: 1).
	// +kubebuilder:validation:MaxProperties=32
	// +kubebuilder:validation:XValidation:rule="self.all(k, k in ['quota_mailbox_instance_storage', 'quota_mailboxes_hard', 'quota_websites_hard', 'quota_universal_devices_hard', 'quota_mobiles_hard', 'quota_servers_hard', 'quota_storage_hard', 'quota_local_storage_hard', 'quota_virtualhosts_hard', 'quota_vms_hard', 'quota_win_server_essentials_hard', 'quota_workstations_hard', 'storage_size', 'local_storage_size', 'workstation_count', 'server_count', 'vm_count', 'mobile_count', 'virtualhost_count', 'win_server_essential_count', 'mailbox_count', 'website_count', 'universal_devices_count', 'subscription_expiration', 'visible', 'permitted', 'cloud_to_cloud_backup'])",message="a key is no privilege of the portal"
	// +optional
	Quotas map[string]int64 `json:"quotas,omitempty"`

	// localBackup are the privileges of backups to local storage (`local_backup`).
	// +optional
	LocalBackup LocalBackupPrivileges `json:"localBackup,omitempty,omitzero"`
}

// LocalBackupPrivileges say whether a Group may back up to local storage.
type LocalBackupPrivileges struct {
	// visible shows the local backup feature. Unset means true.
	// +optional
	Visible *bool `json:"visible,omitempty"`
	// permitted allows local backups; false is the portal's local_backup_restriction status 1
	// (GET|POST /groups/{group}/settings/local_backup_restriction). Unset means true.
	// +optional
	Permitted *bool `json:"permitted,omitempty"`
}

// GroupPricing is a Group's pricing as the portal shows it.
type GroupPricing struct {
	// mode is the pricing mode: 1 production, 2 demo, 3 persistent demo.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=3
	// +required
	Mode int32 `json:"mode"`
	// enabled turns pricing on. Unset shows as null ("pricing is not available").
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
	// price is a decimal number, e.g. "12.50". Unset shows as null.
	// +kubebuilder:validation:Pattern=`^-?[0-9]{1,15}(\.[0-9]{1,6})?$`
	// +optional
	Price *string `json:"price,omitempty"`
	// currency is the currency of the prices, e.g. "USD".
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Currency string `json:"currency,omitempty"`
	// storageDiscount is a decimal number (deprecated by the portal). Unset shows as null.
	// +kubebuilder:validation:Pattern=`^-?[0-9]{1,15}(\.[0-9]{1,6})?$`
	// +optional
	StorageDiscount *string `json:"storageDiscount,omitempty"`
	// rating is the pricing rating (deprecated by the portal): platinum 1, gold 2, silver 3,
	// bronze 4, basic 5. Unset shows as null.
	// +optional
	Rating *int32 `json:"rating,omitempty"`
	// modeUpdateDate is when the mode last changed, as Unix seconds. Unset shows as null.
	// +optional
	ModeUpdateDate *int64 `json:"modeUpdateDate,omitempty"`
	// discounts (deprecated by the portal).
	// +kubebuilder:validation:MaxItems=16
	// +listType=atomic
	// +optional
	Discounts []PricingDiscount `json:"discounts,omitempty"`
}

// PricingDiscount is one of a pricing's (deprecated) discounts.
type PricingDiscount struct {
	// name of the discount.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Name string `json:"name,omitempty"`
	// enabled turns the discount on. Defaults to false.
	// +optional
	Enabled bool `json:"enabled,omitempty"`
}

// ColorScheme is a portal color scheme (GET /branding/scheme/available lists them).
// +kubebuilder:validation:Enum=default;light;dark;blue;green;orange;red;violet
type ColorScheme string

// ColorSchemes are the color schemes a brand may take, in the order the portal lists them.
var ColorSchemes = []ColorScheme{"default", "light", "dark", "blue", "green", "orange", "red", "violet"}

// GroupBranding is a Group's own brand: what its portal and mail show, for it and for the Groups
// below it that have no brand of their own (the portal's effective brand).
type GroupBranding struct {
	// enabled turns the brand on (POST /groups/{group}/brand; DELETE turns it off and keeps the
	// rest). While on, the brand's id is the Group's id (the portal's `brand`). Defaults to
	// false.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// companyName is the name of the company behind the brand.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	CompanyName string `json:"companyName,omitempty"`

	// serviceName is the name of the service as the brand calls it.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	ServiceName string `json:"serviceName,omitempty"`

	// color is the brand's color as six hexadecimal digits (RGB), e.g. "FFFFFF".
	// +kubebuilder:validation:Pattern=`^[0-9A-Fa-f]{6}$`
	// +optional
	Color string `json:"color,omitempty"`

	// colorScheme is the portal's color scheme. Defaults to default.
	// +optional
	ColorScheme ColorScheme `json:"colorScheme,omitempty"`

	// supportPhone is the company's support telephone number.
	// +kubebuilder:validation:MaxLength=64
	// +optional
	SupportPhone string `json:"supportPhone,omitempty"`

	// hidePredefined hides the portal's predefined links. Defaults to false.
	// +optional
	HidePredefined bool `json:"hidePredefined,omitempty"`

	// ownsCustomLegalDocs says the brand links its own terms and privacy policy. Defaults to
	// false.
	// +optional
	OwnsCustomLegalDocs bool `json:"ownsCustomLegalDocs,omitempty"`

	// whiteLabeledAgent says the backup agent carries the brand. Defaults to false.
	// +optional
	WhiteLabeledAgent bool `json:"whiteLabeledAgent,omitempty"`

	// urls are the brand's links.
	// +optional
	URLs BrandURLs `json:"urls,omitempty,omitzero"`

	// smtp is the brand's outgoing mail server: mail to the accounts of the Group and the Groups
	// below it that have no brand of their own goes through it while smtp.enabled.
	// +optional
	SMTP BrandSMTP `json:"smtp,omitempty,omitzero"`

	// logoSecretRef names the Secret, in the Group's namespace, whose data key "logo.png" holds
	// the Group's logo (a PNG). POST /groups/{group}/logo writes such a Secret, owned by the
	// Group, and sets this. A Secret written by other means must carry the label
	// app.kubernetes.io/managed-by=tessera: Tessera reads only Secrets so labelled.
	// +optional
	LogoSecretRef *LocalObjectReference `json:"logoSecretRef,omitempty"`
}

// BrandURLs are a brand's links, each a URL or a host name of at most 2048 characters.
type BrandURLs struct {
	// accountServer links the account server.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	AccountServer string `json:"accountServer,omitempty"`
	// agentGateway links the agent gateway.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	AgentGateway string `json:"agentGateway,omitempty"`
	// backupConsole links the backup console.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	BackupConsole string `json:"backupConsole,omitempty"`
	// help links the online help.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Help string `json:"help,omitempty"`
	// home links the company's web site.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Home string `json:"home,omitempty"`
	// knowledgebase links the knowledge base.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Knowledgebase string `json:"knowledgebase,omitempty"`
	// mobileAppAndroidDownload links the Android app.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	MobileAppAndroidDownload string `json:"mobileAppAndroidDownload,omitempty"`
	// mobileAppIOSDownload links the iOS app.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	MobileAppIOSDownload string `json:"mobileAppIOSDownload,omitempty"`
	// platformTerms links the platform's terms and conditions.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	PlatformTerms string `json:"platformTerms,omitempty"`
	// privacyPolicy links the privacy policy.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	PrivacyPolicy string `json:"privacyPolicy,omitempty"`
	// regServer links the registration server.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	RegServer string `json:"regServer,omitempty"`
	// router links the management console.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Router string `json:"router,omitempty"`
	// support links the support page.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Support string `json:"support,omitempty"`
	// terms links the company's terms and conditions.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Terms string `json:"terms,omitempty"`
	// upsell links the partner's buy page.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	Upsell string `json:"upsell,omitempty"`
	// userGuide links the user guide.
	// +kubebuilder:validation:MaxLength=2048
	// +optional
	UserGuide string `json:"userGuide,omitempty"`
}

// SMTPEncryption is how a brand's mail server connection is protected.
// +kubebuilder:validation:Enum=none;tls;starttls
type SMTPEncryption string

// The SMTP encryptions.
const (
	// SMTPEncryptionNone: plain SMTP (port 25 by default).
	SMTPEncryptionNone SMTPEncryption = "none"
	// SMTPEncryptionTLS: TLS from the first byte (port 465 by default); the portal's "TLS".
	SMTPEncryptionTLS SMTPEncryption = "tls"
	// SMTPEncryptionSTARTTLS: plain SMTP upgraded with STARTTLS (port 587 by default).
	SMTPEncryptionSTARTTLS SMTPEncryption = "starttls"
)

// BrandSMTP is a brand's outgoing mail server.
type BrandSMTP struct {
	// enabled sends the brand's mail through this server (the portal's smtp_override); while
	// false, mail goes as if the brand had no SMTP settings. Defaults to false.
	// +optional
	Enabled bool `json:"enabled,omitempty"`
	// server is the mail server's host name or address.
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Server string `json:"server,omitempty"`
	// port of the mail server. Defaults (0) to 465 with tls, 587 with starttls, 25 with none.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=65535
	// +optional
	Port int32 `json:"port,omitempty"`
	// user signs in to the mail server; empty: no authentication.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	User string `json:"user,omitempty"`
	// passwordSecretRef names the key of a Secret, in the Group's namespace, that holds the
	// user's password. The portal's smtp_password (write-only) writes the Secret
	// "portal-brand-smtp", owned by the Group, and points here. A Secret written by other means
	// must carry the label app.kubernetes.io/managed-by=tessera: Tessera reads only Secrets so
	// labelled.
	// +optional
	PasswordSecretRef *SecretKeyReference `json:"passwordSecretRef,omitempty"`
	// replyAddress is the sender (From) of the brand's mail.
	// +kubebuilder:validation:MaxLength=254
	// +optional
	ReplyAddress string `json:"replyAddress,omitempty"`
	// encryption is none, tls or starttls. Defaults to tls.
	// +optional
	Encryption SMTPEncryption `json:"encryption,omitempty"`
}

// SecretKeyReference names a key of a Secret in the referencing object's namespace.
type SecretKeyReference struct {
	// name of the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +required
	Name string `json:"name"`
	// key in the Secret's data. Defaults to "password".
	// +kubebuilder:validation:MaxLength=253
	// +optional
	Key string `json:"key,omitempty"`
}
