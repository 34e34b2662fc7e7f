package kubectlplugin

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// decodedJWT is what `token get --decode` prints. The raw messages keep the token's own key
// order; nothing is verified (the plugin holds no keys: verify with the JWKS or /1/verifier).
type decodedJWT struct {
	Header json.RawMessage `json:"header"`
	Claims json.RawMessage `json:"claims"`
}

// decodeJWT splits a compact JWS and decodes its header and claims without checking the
// signature: the token comes from the cluster and is only displayed. It does not use
// jwt.Inspect, which reads the same parts without verifying: Inspect returns the key id and
// Tessera's typed claims, while the display wants the whole header and every claim (jti, sub
// and any a later version adds) in the token's own key order, i.e. the raw JSON.
func decodeJWT(token string) (*decodedJWT, error) {
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWT: want three dot-separated parts")
	}
	header, err := decodeSegment(parts[0], "header")
	if err != nil {
		return nil, err
	}
	claims, err := decodeSegment(parts[1], "claims")
	if err != nil {
		return nil, err
	}
	return &decodedJWT{Header: header, Claims: claims}, nil
}

func decodeSegment(seg, what string) (json.RawMessage, error) {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return nil, errors.New("not a JWT: the " + what + " is not base64url")
	}
	if !json.Valid(raw) || !strings.HasPrefix(strings.TrimSpace(string(raw)), "{") {
		return nil, errors.New("not a JWT: the " + what + " is not a JSON object")
	}
	return raw, nil
}
