package plugin

import (
	"encoding/json"
	"maps"
	"slices"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/tessera-dev/tessera/internal/kubectlplugin"
)

var _ = Describe("kubectl tessera tree", func() {
	It("prints the whole tree with kinds, locks, readiness and per-Group counts", func() {
		Expect(succeed("tree")).To(Equal(
			`GROUP                  KIND                LOCK   READY   ACCOUNTS   TOKENS   ADMINS
root                   Root                -      True    1          0        1
└── northwind          Distributor         -      True    1          0        1
    ├── acme           EndUserCompany      -      True    2          2        1
    │   └── acme-rnd   CompanyDepartment   -      True    0          0        0
    └── globex         EndUserCompany      -      True    1          1        0
`))
	})

	It("prints the subtree under GROUP", func() {
		Expect(succeed("tree", "acme")).To(Equal(
			`GROUP          KIND                LOCK   READY   ACCOUNTS   TOKENS   ADMINS
acme           EndUserCompany      -      True    2          2        1
└── acme-rnd   CompanyDepartment   -      True    0          0        0
`))
	})

	It("prints -o json in the documented structure", func() {
		out := succeed("tree", "-o", "json")
		var t kubectlplugin.Tree
		Expect(json.Unmarshal([]byte(out), &t)).To(Succeed())
		Expect(t.Version).To(Equal(1))
		Expect(t.Groups).To(HaveLen(1))
		root := t.Groups[0]
		Expect(root.Name).To(Equal("root"))
		Expect(root.Counts).To(Equal(kubectlplugin.Counts{Accounts: 1, Admins: 1}))
		Expect(root.Children).To(HaveLen(1))
		northwind := root.Children[0]
		Expect(northwind.Kind).To(BeEquivalentTo(10))
		Expect(northwind.KindName).To(Equal("Distributor"))
		Expect(northwind.Parent).To(Equal("root"))
		Expect(northwind.Depth).To(Equal(1))
		Expect(names(northwind.Children)).To(Equal([]string{"acme", "globex"}))
		acme := northwind.Children[0]
		Expect(acme.Namespace).To(Equal("tessera-acme"))
		Expect(acme.Ready).To(Equal("True"))
		Expect(acme.Counts).To(Equal(kubectlplugin.Counts{Accounts: 2, Tokens: 2, Admins: 1}))
		Expect(names(acme.Children)).To(Equal([]string{"acme-rnd"}))
		Expect(acme.Children[0].Children).To(BeEmpty())

		// The field names are the contract: exactly these, children always an array.
		var raw struct {
			Version int              `json:"version"`
			Groups  []map[string]any `json:"groups"`
		}
		Expect(json.Unmarshal([]byte(out), &raw)).To(Succeed())
		Expect(slices.Sorted(maps.Keys(raw.Groups[0]))).To(Equal([]string{
			"children", "counts", "depth", "displayName", "kind", "kindName", "lock", "name", "namespace", "parent", "ready"}))
		Expect(raw.Groups[0]["lock"]).To(Equal(map[string]any{"locked": false, "inherited": false}))
		Expect(raw.Groups[0]["counts"]).To(Equal(map[string]any{"accounts": 1.0, "tokens": 0.0, "admins": 1.0}))
	})

	It("fails with one line for an unknown Group or output format", func() {
		Expect(fail("tree", "nope")).To(Equal(`group "nope" not found`))
		Expect(fail("tree", "-o", "yaml")).To(Equal(`unknown output format "yaml": use -o json or leave it out`))
		Expect(fail("tree", "a", "b")).To(Equal("accepts at most 1 arg(s), received 2"))
	})
})

func names(nodes []*kubectlplugin.TreeNode) []string {
	out := make([]string, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, n.Name)
	}
	return out
}
