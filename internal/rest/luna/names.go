package luna

// Field names of the LUNA ID API: the JSON keys of its bodies, its query parameters and path
// values, and the locations its validation errors name.
const (
	fieldAccountID      = "account_id"
	fieldAccountType    = "account_type"
	fieldLogin          = "login"
	fieldDescription    = "description"
	fieldPermissions    = "permissions"
	fieldToken          = "token"
	fieldTokenID        = "token_id"
	fieldExpirationTime = "expiration_time"
	fieldVisibilityArea = "visibility_area"
	fieldCreateTime     = "create_time"
	fieldLastUpdateTime = "last_update_time"
)

// The values of permissions_targets: which permissions a token's rendering shows.
const (
	targetsStandard = "standard"
	targetsCustom   = "custom"
	targetsAll      = "all"
)

// The standard permissions of a token, by their names in the API.
const (
	permFace       = "face"
	permList       = "list"
	permEvent      = "event"
	permAttribute  = "attribute"
	permHandler    = "handler"
	permVerifier   = "verifier"
	permTask       = "task"
	permFaceSample = "face_sample"
	permBodySample = "body_sample"
	permToken      = "token"
	permImage      = "image"
	permObject     = "object"
	permResources  = "resources"
)

// The verbs a permission allows.
const (
	verbCreation     = "creation"
	verbView         = "view"
	verbModification = "modification"
	verbDeletion     = "deletion"
	verbMatching     = "matching"
)
