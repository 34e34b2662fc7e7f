package luna

// Luna's token permissions: the standard lists and the verbs each allows, parsing and rendering.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

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
