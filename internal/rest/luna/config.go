package luna

import (
	"fmt"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/tessera-dev/tessera/internal/principal"
	"github.com/tessera-dev/tessera/internal/version"
)

// secretKey matches configuration keys whose values are never shown.
var secretKey = regexp.MustCompile(`(?i)(password|passwd|token|secret|key|credential)`)

const masked = "********"

// maskedConfig copies the configuration with secret values replaced.
func maskedConfig(cfg map[string]map[string]any) map[string]map[string]any {
	out := make(map[string]map[string]any, len(cfg))
	for section, kv := range cfg {
		m := make(map[string]any, len(kv))
		for k, v := range kv {
			if secretKey.MatchString(k) && v != nil && v != "" {
				v = masked
			}
			m[k] = v
		}
		out[section] = m
	}
	return out
}

// configText renders the configuration as INI-style text, as the seeds show.
func configText(cfg map[string]map[string]any) string {
	var b strings.Builder
	sections := make([]string, 0, len(cfg))
	for s := range cfg {
		sections = append(sections, s)
	}
	slices.Sort(sections)
	for i, s := range sections {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[%s]\n", s)
		keys := make([]string, 0, len(cfg[s]))
		for k := range cfg[s] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s = %v\n", k, cfg[s][k])
		}
	}
	return b.String()
}

// negotiate picks the first of offers the Accept header allows, in the header's order; "" when
// none. Wildcards match only when allowWildcard is set; an absent header yields def.
func negotiate(accept string, offers []string, def string, allowWildcard bool) string {
	if strings.TrimSpace(accept) == "" {
		return def
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil || params["q"] == "0" {
			continue
		}
		for _, o := range offers {
			if mt == o {
				return o
			}
		}
		if allowWildcard && (mt == "*/*" || mt == "application/*") && def != "" {
			return def
		}
	}
	return ""
}

// getConfig is GET /1/config, for admin accounts: JSON or text by Accept, secrets masked.
func (a *API) getConfig(w http.ResponseWriter, r *http.Request, c *principal.Principal) error {
	if !isAdmin(c) {
		return errForbidden("only an admin account may read the service configuration")
	}
	cfg := maskedConfig(a.Config)
	switch negotiate(r.Header.Get("Accept"), []string{"application/json", "text/plain"}, "application/json", true) {
	case "application/json":
		writeJSON(w, http.StatusOK, cfg)
	case "text/plain":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(configText(cfg)))
	default:
		return errUnsupportedMedia()
	}
	return nil
}

// BaseConfig is the configuration /1/config shows when the operator adds nothing else: what a
// client of this API may want to know. Callers may add sections (secret values are masked).
func BaseConfig(issuer string) map[string]map[string]any {
	major, minor, patch := version.Parts()
	return map[string]map[string]any{
		"LUNA_ACCOUNTS": {
			"API_VERSION":       1,
			"SERVICE_VERSION":   fmt.Sprintf("%d.%d.%d", major, minor, patch),
			"DEFAULT_PAGE_SIZE": 10,
			"MAX_PAGE_SIZE":     100,
		},
		"TOKENS": {
			"ISSUER":        issuer,
			"JWKS_URL":      "/.well-known/jwks.json",
			"DISCOVERY_URL": "/.well-known/openid-configuration",
		},
	}
}
