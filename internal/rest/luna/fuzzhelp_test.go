package luna

import tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"

func nil2() *tenancyv1alpha1.Account { return &tenancyv1alpha1.Account{} }
