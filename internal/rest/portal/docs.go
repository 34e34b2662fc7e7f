package portal

import (
	_ "embed"
	"net/http"
)

// openAPI is Tessera's OpenAPI 3 document of the portal API: what is implemented, Tessera's
// decisions where the seed leaves them open, and the families answering 501.
//
//go:embed openapi.yaml
var openAPI []byte

// OpenAPISpec returns the embedded OpenAPI document (YAML).
func OpenAPISpec() []byte { return openAPI }

// getSpec is GET /docs/spec.
func (a *API) getSpec(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(openAPI)
	return nil
}
