package luna

import (
	_ "embed"
	"html"
	"net/http"
)

// openAPISpec is Tessera's own OpenAPI 3 document for the Luna Accounts API.
//
//go:embed docs/openapi.yaml
var openAPISpec []byte

//go:embed docs/dev.html
var devManual []byte

// OpenAPISpec returns the embedded OpenAPI document (YAML).
func OpenAPISpec() []byte { return openAPISpec }

// getSpec is GET /1/docs/spec: YAML for Accept application/x-yaml, HTML for text/html, 415
// otherwise.
func (a *API) getSpec(w http.ResponseWriter, r *http.Request) {
	switch negotiate(r.Header.Get("Accept"), []string{"application/x-yaml", "application/yaml", "text/yaml", "text/html"}, "", false) {
	case "application/x-yaml", "application/yaml", "text/yaml":
		w.Header().Set("Content-Type", "application/x-yaml")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(openAPISpec)
	case "text/html":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(specHTML()))
	default:
		writeErr(w, r, errUnsupportedMedia())
	}
}

func specHTML() string {
	return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Tessera — Luna Accounts API (OpenAPI)</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}pre{background:#f6f8fa;padding:1em;overflow:auto}</style>
</head><body>
<h1>Tessera — Luna Accounts API</h1>
<p>The OpenAPI 3 document of this API. Fetch it as YAML with
<code>curl -H 'Accept: application/x-yaml' /1/docs/spec</code>; the manual is at <a href="/1/docs/dev">/1/docs/dev</a>.</p>
<pre>` + html.EscapeString(string(openAPISpec)) + `</pre>
</body></html>
`
}

// getDevManual is GET /1/docs/dev: the development manual, as HTML.
func (a *API) getDevManual(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(devManual)
}
