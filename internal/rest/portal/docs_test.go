package portal

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// A comma inside an unquoted flow-mapping value ({description: a, b}) silently splits it into
// a key "b" without a value, which OpenAPI validators refuse: no such fragment may be left.
func TestOpenAPIHasNoSplitFlowValues(t *testing.T) {
	var doc any
	if err := yaml.Unmarshal(openAPI, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if x == nil && strings.Contains(k, " ") {
					t.Errorf("%s: %q has no value: quote the text before it", path, k)
				}
				walk(path+"/"+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path, x)
			}
		}
	}
	walk("", doc)
}
