package jwt

// Action audiences: the portal's account-flow tokens (/api/1/actions/*) are session tokens
// (SignSession, VerifySession) with one audience per purpose, so that a token made for one
// flow is refused by every other flow and by every API that signs people in. Their portal
// claims carry the Account's login (uid) at issue; an e-mail update's email claim is the new
// address, which the flow sets.
const (
	// AudienceActionActivate is the audience of an activation token: it sets the first
	// password of an Account and lets it sign in.
	AudienceActionActivate = "urn:tessera:portal:action:activate"
	// AudienceActionReset is the audience of a password-reset token.
	AudienceActionReset = "urn:tessera:portal:action:reset"
	// AudienceActionEmailUpdate is the audience of an e-mail update token.
	AudienceActionEmailUpdate = "urn:tessera:portal:action:emailupdate"
)
