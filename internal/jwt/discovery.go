package jwt

import "strings"

// JWKSPath is where the JWKS is served, relative to the issuer.
const JWKSPath = "/.well-known/jwks.json"

// Discovery returns the OpenID-style discovery document served at
// /.well-known/openid-configuration, shaped like Kubernetes' service-account issuer discovery:
// enough for a generic OIDC/JWT library to find the keys and verify tokens offline. Tessera is
// not an OpenID provider, so there are no authorization or token endpoints.
func Discovery(issuer string) map[string]any {
	return map[string]any{
		"issuer":                                issuer,
		"jwks_uri":                              strings.TrimSuffix(issuer, "/") + JWKSPath,
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256", "EdDSA"},
		"claims_supported": []string{
			"iss", "sub", "jti", "iat", "exp", "tokenId", "accountId", "expirationTime", "visibilityArea",
		},
	}
}
