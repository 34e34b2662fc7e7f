package luna

import (
	"net/http"

	"github.com/tessera-dev/tessera/internal/principal"
)

// getPlugins is GET /1/plugins: Tessera has no plugins unless the operator lists some.
func (a *API) getPlugins(w http.ResponseWriter, _ *http.Request, _ *principal.Principal) error {
	plugins := a.Plugins
	if plugins == nil {
		plugins = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"plugins": plugins})
	return nil
}
