package portal

import (
	_ "embed"
	"encoding/json"
	"net/http"

	"github.com/tessera-dev/tessera/internal/tree"
)

// constantsJSON is GET /logic/constants: the seed's example, as it is. Its kinds and access
// types are api/v1alpha1's numbers (logic_test.go holds them to it).
//
//go:embed logic/constants.json
var constantsJSON []byte

// pricingRulesJSON holds the pricing rules of GET /logic/rules: the seed's example, as it is.
//
//go:embed logic/pricing_rules.json
var pricingRulesJSON []byte

// rules is GET /logic/rules: the seed's pricing rules, and GroupBusinessRules from package
// tree's table, the one admission places Groups by.
var rules = func() map[string]any {
	out := map[string]any{}
	if err := json.Unmarshal(pricingRulesJSON, &out); err != nil {
		panic(err)
	}
	out["GroupBusinessRules"] = map[string]tree.Rules{"creation": tree.Creation, "modification": tree.Modification}
	return out
}()

func (a *API) getConstants(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(constantsJSON)
	return nil
}

func (a *API) getRules(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	writeJSON(w, http.StatusOK, rules)
	return nil
}
