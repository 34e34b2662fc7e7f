package credential

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// An Account moves into another namespace (ote-stack's business creation makes its creator the
// business's administrator, and an Admin names an Account of its own namespace) by being
// deleted and recreated with the same login, ids, profile and password hash. A process killed
// half-way must not lose it, so the move is a record, written first, that the move reconciler
// (controllers.MoveReconciler) carries out idempotently and deletes when done: a Secret beside
// the Account, since between the old Account's deletion and the new one's creation it holds the
// password hash, and the record is the only place it then exists.
//
// Who may write a record: it is honoured only in the root Group's namespace and only towards a
// business Group (a company Group directly under the root). Whoever may write Secrets there
// already owns every Account there — the bootstrap administrator's hash Secret is one of them.

// Keys of a move record's data.
const (
	moveKey     = "move"
	moveHashKey = HashKey
)

// MoveRecordName is the name of the move record of the Account named account.
func MoveRecordName(account string) string { return account + "-move" }

// Move is what a move record says.
type Move struct {
	// Group is the Group the Account moves into (into its namespace).
	Group string `json:"group"`
	// UID is the Account object that moves; a later Account of the same name does not.
	UID types.UID `json:"uid"`
	// Grant, when set, is the access type of the Admin grant on Group the moved Account gets.
	Grant tenancyv1alpha1.AccessType `json:"grant,omitempty"`
	// Account is what the reconciler saved of the Account before deleting it; nil before.
	Account *MovedAccount `json:"account,omitempty"`
}

// MovedAccount is what a moved Account is recreated from.
type MovedAccount struct {
	// ResourceVersion is the version saved: the Account is deleted only at this version.
	ResourceVersion string                      `json:"resourceVersion"`
	Labels          map[string]string           `json:"labels,omitempty"`
	Annotations     map[string]string           `json:"annotations,omitempty"`
	Spec            tenancyv1alpha1.AccountSpec `json:"spec"`
}

// RequestMove writes the move record of acct into Group group, with an Admin grant of access
// type grant there (none when 0): in one write, the point after which the move happens (or is
// rolled back) whatever dies. It returns the record as written.
func RequestMove(ctx context.Context, c client.Client, acct *tenancyv1alpha1.Account, group string, grant tenancyv1alpha1.AccessType) (*corev1.Secret, error) {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Namespace: acct.Namespace, Name: MoveRecordName(acct.Name),
		Labels: map[string]string{tenancyv1alpha1.LabelManagedBy: tenancyv1alpha1.ManagedByValue, tenancyv1alpha1.LabelMoveOf: acct.Name}},
		Type: corev1.SecretTypeOpaque}
	if err := SetMove(s, &Move{Group: group, UID: acct.UID, Grant: grant}, ""); err != nil {
		return nil, err
	}
	return s, c.Create(ctx, s)
}

// ReadMove reads a move record: what it says, and the saved hash ("" before it is saved).
func ReadMove(s *corev1.Secret) (*Move, string, error) {
	m := &Move{}
	if err := json.Unmarshal(s.Data[moveKey], m); err != nil {
		return nil, "", fmt.Errorf("move record %s/%s: %w", s.Namespace, s.Name, err)
	}
	if m.Group == "" || m.UID == "" {
		return nil, "", fmt.Errorf("move record %s/%s names no Group or no Account", s.Namespace, s.Name)
	}
	return m, string(s.Data[moveHashKey]), nil
}

// SetMove puts m and hash into the record s (to be written by the caller).
func SetMove(s *corev1.Secret, m *Move, hash string) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	s.Data = map[string][]byte{moveKey: raw}
	if hash != "" {
		s.Data[moveHashKey] = []byte(hash)
	}
	return nil
}

// Held names the Tokens and Admin grants that reference acct ("" when none), which deleting it
// for a move would take along. It asks r, which should be the API server (field selectors), not
// a cache: a Token created a moment ago must count.
func Held(ctx context.Context, r client.Reader, acct *tenancyv1alpha1.Account) (string, error) {
	byAccount := client.MatchingFields{"spec.accountRef.name": acct.Name}
	toks := &tenancyv1alpha1.TokenList{}
	if err := r.List(ctx, toks, client.InNamespace(acct.Namespace), byAccount); err != nil {
		return "", err
	}
	adms := &tenancyv1alpha1.AdminList{}
	if err := r.List(ctx, adms, client.InNamespace(acct.Namespace), byAccount); err != nil {
		return "", err
	}
	var held []string
	if n := len(toks.Items); n > 0 {
		held = append(held, fmt.Sprintf("%d token(s)", n))
	}
	if n := len(adms.Items); n > 0 {
		held = append(held, fmt.Sprintf("%d administrator grant(s)", n))
	}
	return strings.Join(held, " and "), nil
}
