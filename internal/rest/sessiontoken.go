package rest

import "strings"

// SessionToken takes the token from an Authorization header, raw or as "Bearer <token>".
func SessionToken(header string) string {
	h := strings.TrimSpace(header)
	if scheme, rest, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest)
	}
	if strings.ContainsAny(h, " \t") {
		return ""
	}
	return h
}
