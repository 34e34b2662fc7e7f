package luna

import (
	"bytes"
	"encoding/json"
	"regexp"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

var (
	uuidPattern   = regexp.MustCompile(`^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$`)
	loginPattern  = regexp.MustCompile(`^[a-z0-9_'\+\-\.]+@[a-z0-9]+\.[a-z]{2,}$`)
	customPattern = regexp.MustCompile(`^[a-z_]{3,16}$`)
)

// timeLayout is how times are written: RFC 3339 in UTC with milliseconds, as the seeds show.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

// accountTargets are the fields of an account reply, in the seeds' order.
var accountTargets = []string{fieldAccountID, fieldLogin, fieldAccountType, fieldDescription, fieldCreateTime, fieldLastUpdateTime}

func accountType(a *tenancyv1alpha1.Account) string {
	if a.Spec.Type == "" {
		return string(tenancyv1alpha1.AccountTypeUser)
	}
	return string(a.Spec.Type)
}

// accountJSON renders an Account with the fields in targets (all when nil).
func accountJSON(a *tenancyv1alpha1.Account, targets []string) map[string]any {
	updated := a.CreationTimestamp.Time
	if a.Status.UpdateTime != nil && a.Status.UpdateTime.After(updated) {
		updated = a.Status.UpdateTime.Time
	}
	all := map[string]any{
		fieldAccountID:      a.Spec.AccountID,
		fieldLogin:          a.Spec.Login,
		fieldAccountType:    accountType(a),
		fieldDescription:    a.Spec.Description,
		fieldCreateTime:     formatTime(a.CreationTimestamp.Time),
		fieldLastUpdateTime: formatTime(updated),
	}
	if targets == nil {
		return all
	}
	out := make(map[string]any, len(targets))
	for _, t := range targets {
		out[t] = all[t]
	}
	return out
}

// accountBody is the JSON of POST and PATCH /1/accounts.
type accountBody struct {
	Login       *string `json:"login"`
	Password    *string `json:"password"`
	AccountType *string `json:"account_type"`
	Description *string `json:"description"`
}

// validate checks an account body; create requires login, password and account_type, a patch at
// least one field.
func (b *accountBody) validate(create bool) *apiError {
	if create {
		for _, f := range []struct {
			name string
			v    *string
		}{{fieldLogin, b.Login}, {"password", b.Password}, {fieldAccountType, b.AccountType}} {
			if f.v == nil {
				return errBadJSON(f.name, "field required")
			}
		}
	} else if b.Login == nil && b.Password == nil && b.AccountType == nil && b.Description == nil {
		return errBadJSON("", "at least 1 field must be specified")
	}
	if b.Login != nil {
		if e := checkLogin(fieldLogin, *b.Login); e != nil {
			return e
		}
	}
	if b.Password != nil {
		if n := len([]rune(*b.Password)); n < 3 || n > 128 {
			return errBadJSON("password", "ensure this value has 3 to 128 characters")
		}
	}
	if b.AccountType != nil && !validAccountType(*b.AccountType) {
		return errBadJSON(fieldAccountType, "value is not a valid enumeration member; permitted: 'admin', 'advanced_user', 'user'")
	}
	if b.Description != nil && len([]rune(*b.Description)) > 128 {
		return errBadJSON(fieldDescription, "ensure this value has at most 128 characters")
	}
	return nil
}

func checkLogin(path, login string) *apiError {
	if n := len([]rune(login)); n < 3 || n > 128 {
		return errBadJSON(path, "ensure this value has 3 to 128 characters")
	}
	if !loginPattern.MatchString(login) {
		return errBadJSON(path, "string does not match regex \""+loginPattern.String()+"\"")
	}
	return nil
}

func validAccountType(s string) bool {
	switch tenancyv1alpha1.AccountType(s) {
	case tenancyv1alpha1.AccountTypeAdmin, tenancyv1alpha1.AccountTypeAdvancedUser, tenancyv1alpha1.AccountTypeUser:
		return true
	}
	return false
}

// tokenBody is the JSON of POST /1/tokens and PUT /1/tokens/{id}.
type tokenBody struct {
	Permissions    json.RawMessage `json:"permissions"`
	Description    *string         `json:"description"`
	ExpirationTime json.RawMessage `json:"expiration_time"`
	VisibilityArea *string         `json:"visibility_area"`
}

// tokenSpec is a validated token body.
type tokenSpec struct {
	Permissions    tenancyv1alpha1.TokenPermissions
	Description    string
	ExpirationTime *metav1.Time
	// VisibilityArea is empty when the body left it out.
	VisibilityArea tenancyv1alpha1.VisibilityArea
}

// validate checks a token body. grantAll fills every standard permission with every verb.
func (b *tokenBody) validate(grantAll bool, now time.Time) (*tokenSpec, *apiError) {
	out := &tokenSpec{}
	if b.Permissions == nil && !grantAll {
		return nil, errBadJSON(fieldPermissions, "field required")
	}
	if b.Permissions != nil {
		p, e := parsePermissions(b.Permissions)
		if e != nil {
			return nil, e
		}
		out.Permissions = p
	}
	if grantAll {
		custom := out.Permissions.Custom
		out.Permissions = allStandardPermissions()
		out.Permissions.Custom = custom
	}
	if b.ExpirationTime == nil {
		return nil, errBadJSON(fieldExpirationTime, "field required")
	}
	if !bytes.Equal(bytes.TrimSpace(b.ExpirationTime), []byte("null")) {
		var s string
		if err := json.Unmarshal(b.ExpirationTime, &s); err != nil {
			return nil, errBadJSON(fieldExpirationTime, "unexpected value")
		}
		t, ok := parseTime(s)
		if !ok {
			return nil, errBadJSON(fieldExpirationTime, "invalid datetime format")
		}
		if !t.After(now) {
			return nil, errBadJSON(fieldExpirationTime, "expiration time must be in the future")
		}
		mt := metav1.NewTime(t.UTC())
		out.ExpirationTime = &mt
	}
	if b.Description != nil {
		if len([]rune(*b.Description)) > 128 {
			return nil, errBadJSON(fieldDescription, "ensure this value has at most 128 characters")
		}
		out.Description = *b.Description
	}
	if b.VisibilityArea != nil {
		switch v := tenancyv1alpha1.VisibilityArea(*b.VisibilityArea); v {
		case tenancyv1alpha1.VisibilityAccount, tenancyv1alpha1.VisibilityAll:
			out.VisibilityArea = v
		default:
			return nil, errBadJSON(fieldVisibilityArea, "value is not a valid enumeration member; permitted: 'account', 'all'")
		}
	}
	return out, nil
}

// tokenJSON renders a Token; jwt is the token from its Secret.
func tokenJSON(t *tenancyv1alpha1.Token, accountID, jwt, targets string) map[string]any {
	var exp any
	if t.Spec.ExpirationTime != nil {
		exp = formatTime(t.Spec.ExpirationTime.Time)
	}
	updated := t.CreationTimestamp.Time
	if t.Status.IssuedAt != nil && t.Status.IssuedAt.After(updated) {
		updated = t.Status.IssuedAt.Time
	}
	vis := t.Spec.VisibilityArea
	if vis == "" {
		vis = tenancyv1alpha1.VisibilityAll
	}
	return map[string]any{
		fieldDescription:    t.Spec.Description,
		fieldExpirationTime: exp,
		fieldVisibilityArea: string(vis),
		fieldPermissions:    permissionsJSON(&t.Spec.Permissions, targets),
		fieldToken:          jwt,
		fieldTokenID:        t.Spec.TokenID,
		fieldAccountID:      accountID,
		fieldCreateTime:     formatTime(t.CreationTimestamp.Time),
		fieldLastUpdateTime: formatTime(updated),
	}
}
