package luna

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
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

// The standard permissions and the verbs each allows, in the seeds' order.
var standardPermissions = []struct {
	Name  string
	Verbs []string
}{
	{permFace, []string{verbCreation, verbView, verbModification, verbDeletion, verbMatching}},
	{permList, []string{verbCreation, verbView, verbModification, verbDeletion}},
	{permEvent, []string{verbCreation, verbView, verbMatching}},
	{permAttribute, []string{verbCreation, verbView, verbModification, verbDeletion, verbMatching}},
	{permHandler, []string{verbCreation, verbView, verbModification, verbDeletion}},
	{permVerifier, []string{verbCreation, verbView, verbModification, verbDeletion}},
	{permTask, []string{verbCreation, verbView, verbModification, verbDeletion}},
	{permFaceSample, []string{verbCreation, verbView, verbDeletion}},
	{permBodySample, []string{verbCreation, verbView, verbDeletion}},
	{permToken, []string{verbCreation, verbView, verbModification, verbDeletion}},
	{permImage, []string{verbCreation, verbView, verbDeletion}},
	{permObject, []string{verbCreation, verbView, verbDeletion}},
	{permResources, []string{"iso", "sdk", "liveness"}},
}

var customVerbs = []string{verbCreation, verbView, verbModification, verbDeletion}

func isStandard(name string) bool {
	if name == "emit_events" {
		return true
	}
	for _, s := range standardPermissions {
		if s.Name == name {
			return true
		}
	}
	return false
}

// parsePermissions decodes Luna's permissions object: the standard lists, emit_events, and
// custom permissions (3–16 lowercase letters or "_", verbs creation/view/modification/deletion).
func parsePermissions(raw json.RawMessage) (tenancyv1alpha1.TokenPermissions, *apiError) {
	var p tenancyv1alpha1.TokenPermissions
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return p, errBadJSON(fieldPermissions, "unexpected value")
	}
	lists := map[string][]string{}
	for name, v := range fields {
		path := "permissions." + name
		if name == "emit_events" {
			ee, e := parseEmitEvents(v)
			if e != nil {
				return p, e
			}
			p.EmitEvents = ee
			continue
		}
		allowed := customVerbs
		std := false
		for _, s := range standardPermissions {
			if s.Name == name {
				allowed, std = s.Verbs, true
			}
		}
		if !std && !customPattern.MatchString(name) {
			return p, errBadJSON(path, "custom permission names must have 3-16 characters: lowercase letters or '_'")
		}
		var verbs []string
		if err := json.Unmarshal(v, &verbs); err != nil || verbs == nil {
			return p, errBadJSON(path, "unexpected value")
		}
		seen := map[string]bool{}
		for i, verb := range verbs {
			if !slices.Contains(allowed, verb) {
				return p, errBadJSON(fmt.Sprintf("%s.%d", path, i),
					"value is not a valid enumeration member; permitted: '"+strings.Join(allowed, "', '")+"'")
			}
			if seen[verb] {
				return p, errBadJSON(fmt.Sprintf("%s.%d", path, i), "duplicate values are not permitted")
			}
			seen[verb] = true
		}
		if std {
			lists[name] = verbs
			continue
		}
		if p.Custom == nil {
			p.Custom = map[string]tenancyv1alpha1.CustomPermission{}
		}
		if len(p.Custom) >= 64 {
			return p, errBadJSON(fieldPermissions, "at most 64 custom permissions are allowed")
		}
		cp := tenancyv1alpha1.CustomPermission{}
		for _, v := range verbs {
			cp = append(cp, tenancyv1alpha1.CRUDVerb(v))
		}
		p.Custom[name] = cp
	}
	setStandard(&p, lists)
	return p, nil
}

func parseEmitEvents(raw json.RawMessage) (*tenancyv1alpha1.EmitEvents, *apiError) {
	var body struct {
		Allowed   *int32    `json:"allowed"`
		WhiteList *[]string `json:"white_list"`
		BlackList *[]string `json:"black_list"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			f = strings.Trim(f, `"`)
			return nil, errBadJSON("permissions.emit_events."+f, "extra fields not permitted")
		}
		return nil, errBadJSON("permissions.emit_events", "unexpected value")
	}
	ee := &tenancyv1alpha1.EmitEvents{}
	one := int32(1)
	ee.Allowed = &one
	if body.Allowed != nil {
		if *body.Allowed != 0 && *body.Allowed != 1 {
			return nil, errBadJSON("permissions.emit_events.allowed", "value is not a valid enumeration member; permitted: 0, 1")
		}
		ee.Allowed = body.Allowed
	}
	for _, l := range []struct {
		name string
		src  *[]string
		dst  *[]string
	}{{"white_list", body.WhiteList, &ee.WhiteList}, {"black_list", body.BlackList, &ee.BlackList}} {
		if l.src == nil || *l.src == nil {
			continue
		}
		if n := len(*l.src); n < 1 || n > 100 {
			return nil, errBadJSON("permissions.emit_events."+l.name, "ensure this list has 1 to 100 items")
		}
		seen := map[string]bool{}
		for i, id := range *l.src {
			if !uuidPattern.MatchString(id) {
				return nil, errBadJSON(fmt.Sprintf("permissions.emit_events.%s.%d", l.name, i), "value is not a valid uuid")
			}
			if !seen[id] {
				*l.dst = append(*l.dst, id)
			}
			seen[id] = true
		}
	}
	return ee, nil
}

func setStandard(p *tenancyv1alpha1.TokenPermissions, lists map[string][]string) {
	conv := func(in []string) []string { return in }
	for name, verbs := range lists {
		v := conv(verbs)
		switch name {
		case permFace:
			p.Face = castSlice[tenancyv1alpha1.MatchingVerb](v)
		case permList:
			p.List = castSlice[tenancyv1alpha1.CRUDVerb](v)
		case permEvent:
			p.Event = castSlice[tenancyv1alpha1.EventVerb](v)
		case permAttribute:
			p.Attribute = castSlice[tenancyv1alpha1.MatchingVerb](v)
		case permHandler:
			p.Handler = castSlice[tenancyv1alpha1.CRUDVerb](v)
		case permVerifier:
			p.Verifier = castSlice[tenancyv1alpha1.CRUDVerb](v)
		case permTask:
			p.Task = castSlice[tenancyv1alpha1.CRUDVerb](v)
		case permFaceSample:
			p.FaceSample = castSlice[tenancyv1alpha1.ImmutableVerb](v)
		case permBodySample:
			p.BodySample = castSlice[tenancyv1alpha1.ImmutableVerb](v)
		case permToken:
			p.Token = castSlice[tenancyv1alpha1.CRUDVerb](v)
		case permImage:
			p.Image = castSlice[tenancyv1alpha1.ImmutableVerb](v)
		case permObject:
			p.Object = castSlice[tenancyv1alpha1.ImmutableVerb](v)
		case permResources:
			p.Resources = castSlice[tenancyv1alpha1.Resource](v)
		}
	}
}

func castSlice[T ~string](in []string) []T {
	out := make([]T, 0, len(in))
	for _, s := range in {
		out = append(out, T(s))
	}
	return out
}

func strs[T ~string](in []T) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, string(s))
	}
	return out
}

// allStandardPermissions grants every verb of every standard permission (grant_all_permissions=1).
func allStandardPermissions() tenancyv1alpha1.TokenPermissions {
	var p tenancyv1alpha1.TokenPermissions
	lists := map[string][]string{}
	for _, s := range standardPermissions {
		lists[s.Name] = s.Verbs
	}
	setStandard(&p, lists)
	one := int32(1)
	p.EmitEvents = &tenancyv1alpha1.EmitEvents{Allowed: &one}
	return p
}

// standardLists returns each standard permission's verbs as stored.
func standardLists(p *tenancyv1alpha1.TokenPermissions) map[string][]string {
	return map[string][]string{
		permFace: strs(p.Face), permList: strs(p.List), permEvent: strs(p.Event), permAttribute: strs(p.Attribute),
		permHandler: strs(p.Handler), permVerifier: strs(p.Verifier), permTask: strs(p.Task),
		permFaceSample: strs(p.FaceSample), permBodySample: strs(p.BodySample), permToken: strs(p.Token),
		permImage: strs(p.Image), permObject: strs(p.Object), permResources: strs(p.Resources),
	}
}

// permissionsJSON renders permissions for permissions_targets standard, custom or all.
func permissionsJSON(p *tenancyv1alpha1.TokenPermissions, targets string) map[string]any {
	out := map[string]any{}
	if targets == targetsStandard || targets == targetsAll {
		for name, verbs := range standardLists(p) {
			out[name] = verbs
		}
		ee := map[string]any{"allowed": 1, "white_list": nil, "black_list": nil}
		if e := p.EmitEvents; e != nil {
			if e.Allowed != nil {
				ee["allowed"] = int(*e.Allowed)
			}
			if e.WhiteList != nil {
				ee["white_list"] = e.WhiteList
			}
			if e.BlackList != nil {
				ee["black_list"] = e.BlackList
			}
		}
		out["emit_events"] = ee
	}
	if targets == targetsCustom || targets == targetsAll {
		names := make([]string, 0, len(p.Custom))
		for k := range p.Custom {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			out[k] = strs(p.Custom[k])
		}
	}
	return out
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
