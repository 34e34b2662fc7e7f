package portal

import (
	"encoding/json"
	"testing"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/tree"
)

// The constants the seed shows are the numbers Tessera's types use.
func TestConstantsAreTesserasNumbers(t *testing.T) {
	var c struct {
		AccessTypes map[string]tenancyv1alpha1.AccessType
		GroupsKind  map[string]int32
	}
	if err := json.Unmarshal(constantsJSON, &c); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]tenancyv1alpha1.AccessType{"ReadAccess": tenancyv1alpha1.AccessRead,
		"ChangeBrandingAccess": tenancyv1alpha1.AccessBranding, "ReadWriteAccess": tenancyv1alpha1.AccessReadWrite,
		"ExternalWriteAccess": tenancyv1alpha1.AccessExternalWrite, "FullAccess": tenancyv1alpha1.AccessFull,
		"MigrationAccess": tenancyv1alpha1.AccessMigration} {
		if c.AccessTypes[name] != want {
			t.Errorf("AccessTypes.%s = %d, api/v1alpha1 says %d", name, c.AccessTypes[name], want)
		}
	}
	for name, want := range map[string]tenancyv1alpha1.GroupKind{"Root": tenancyv1alpha1.GroupKindRoot,
		"Distributor": tenancyv1alpha1.GroupKindDistributor, "SubDistributor": tenancyv1alpha1.GroupKindSubDistributor,
		"Provider": tenancyv1alpha1.GroupKindProvider, "MSP": tenancyv1alpha1.GroupKindMSP,
		"Reseller": tenancyv1alpha1.GroupKindReseller, "EndUserCompany": tenancyv1alpha1.GroupKindEndUserCompany,
		"CompanyDepartment": tenancyv1alpha1.GroupKindCompanyDepartment, "ServiceUser": tenancyv1alpha1.GroupKind(tree.KindServiceUser)} {
		if c.GroupsKind[name] != int32(want) {
			t.Errorf("GroupsKind.%s = %d, Tessera says %d", name, c.GroupsKind[name], want)
		}
	}
	if len(rules) != 5 {
		t.Errorf("rules has %d keys, the seed's example 5", len(rules))
	}
}
