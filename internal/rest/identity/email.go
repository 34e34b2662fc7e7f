package identity

import (
	"context"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/claims"
)

// The identity API signs in by e-mail, so an e-mail it sets is a login: it labels such
// Accounts tenancyv1alpha1.LabelEmailLogin, and admission claims their e-mail atomically, as it
// does logins. Accounts of the other APIs may share an e-mail.

// emailField is the field admission names when it refuses a claimed e-mail.
var emailField = claims.AccountEmail.Path

// byEmail finds the one Account that signs in with email: the one labelled e-mail-login (at
// most one is, admission sees to that), else the only unlabelled one (registered before
// e-mails were claimed). Several unlabelled ones sharing it are ambiguous: none is chosen.
func (a *API) byEmail(ctx context.Context, email string) (*tenancyv1alpha1.Account, error) {
	list := &tenancyv1alpha1.AccountList{}
	if err := a.Client.List(ctx, list, client.MatchingFields{IndexEmail: strings.ToLower(email)}); err != nil {
		return nil, err
	}
	var labelled, unlabelled []*tenancyv1alpha1.Account
	for i := range list.Items {
		acct := &list.Items[i]
		switch {
		case acct.DeletionTimestamp != nil:
		case acct.Labels[tenancyv1alpha1.LabelEmailLogin] == tenancyv1alpha1.LabelEmailLoginEnabled:
			labelled = append(labelled, acct)
		default:
			unlabelled = append(unlabelled, acct)
		}
	}
	switch {
	case len(labelled) == 1:
		return labelled[0], nil
	case len(labelled) == 0 && len(unlabelled) == 1:
		return unlabelled[0], nil
	}
	return nil, nil
}
