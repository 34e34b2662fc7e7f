package portal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
)

// opt is a body field that may be absent, null or a value: the seed's partial updates and its
// nullable fields tell them apart.
type opt[T any] struct {
	Set, Null bool
	V         T
}

func (o *opt[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.V)
}

// given reports a field set to a value; a null where the seed allows none is refused.
func given[T any](name string, o opt[T]) (bool, error) {
	if o.Null {
		return false, errBadField(name, "may not be null")
	}
	return o.Set, nil
}

// checkFlag refuses a flag other than 0 or 1.
func checkFlag(name string, o opt[int]) error {
	if o.Set && !o.Null && o.V != 0 && o.V != 1 {
		return errBadField(name, "must be 0 or 1, not %d", o.V)
	}
	return nil
}

// maxText bounds the free-text fields of spec.portal, as its CRD bounds do.
const maxText = 256

func checkText(name string, o opt[string]) error {
	if o.Set && !o.Null && utf8.RuneCountInString(o.V) > maxText {
		return errBadField(name, "is longer than %d characters", maxText)
	}
	return nil
}

// flag is the seed's 0/1 for a bool.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// contact is the seed's contact object; answers carry all ten fields.
type contact struct {
	FirstName string `json:"firstname"`
	LastName  string `json:"lastname"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
	Address1  string `json:"address1"`
	Address2  string `json:"address2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Country   string `json:"country"`
	Zipcode   string `json:"zipcode"`
}

func contactOf(c tenancyv1alpha1.Contact) contact {
	return contact{FirstName: c.FirstName, LastName: c.LastName, Email: c.Email, Phone: c.Phone, Address1: c.Address1,
		Address2: c.Address2, City: c.City, State: c.State, Country: c.Country, Zipcode: c.Zipcode}
}

func (c contact) spec() tenancyv1alpha1.Contact {
	return tenancyv1alpha1.Contact{FirstName: c.FirstName, LastName: c.LastName, Email: c.Email, Phone: c.Phone,
		Address1: c.Address1, Address2: c.Address2, City: c.City, State: c.State, Country: c.Country, Zipcode: c.Zipcode}
}

// contactInput is a contact in a request: the fields given replace those of the stored one.
type contactInput struct {
	FirstName opt[string] `json:"firstname"`
	LastName  opt[string] `json:"lastname"`
	Email     opt[string] `json:"email"`
	Phone     opt[string] `json:"phone"`
	Address1  opt[string] `json:"address1"`
	Address2  opt[string] `json:"address2"`
	City      opt[string] `json:"city"`
	State     opt[string] `json:"state"`
	Country   opt[string] `json:"country"`
	Zipcode   opt[string] `json:"zipcode"`
}

// apply merges the given fields into c; the CRD bounds each field further (the API server
// refuses longer ones, 400).
func (in *contactInput) apply(name string, c *contact) error {
	for _, f := range []struct {
		key string
		o   opt[string]
		dst *string
	}{
		{"firstname", in.FirstName, &c.FirstName}, {"lastname", in.LastName, &c.LastName}, {"email", in.Email, &c.Email},
		{"phone", in.Phone, &c.Phone}, {"address1", in.Address1, &c.Address1}, {"address2", in.Address2, &c.Address2},
		{"city", in.City, &c.City}, {"state", in.State, &c.State}, {"country", in.Country, &c.Country},
		{"zipcode", in.Zipcode, &c.Zipcode},
	} {
		if err := checkText(name+"."+f.key, f.o); err != nil {
			return err
		}
		if f.o.Set {
			*f.dst = f.o.V // null clears
		}
	}
	return nil
}

// privilegeDefaults are the keys of the seed's quotas_and_privileges with what a group has
// until they are set: quotas unlimited (GroupsQuota.Unlimited, -1), counts and sizes 0,
// visible and permitted.
var privilegeDefaults = map[string]int64{
	"quota_mailbox_instance_storage": -1, "quota_mailboxes_hard": -1, "quota_websites_hard": -1,
	"quota_universal_devices_hard": -1, "quota_mobiles_hard": -1, "quota_servers_hard": -1, "quota_storage_hard": -1,
	"quota_local_storage_hard": -1, "quota_virtualhosts_hard": -1, "quota_vms_hard": -1,
	"quota_win_server_essentials_hard": -1, "quota_workstations_hard": -1,
	"storage_size": 0, "local_storage_size": 0, "workstation_count": 0, "server_count": 0, "vm_count": 0,
	"mobile_count": 0, "virtualhost_count": 0, "win_server_essential_count": 0, "mailbox_count": 0,
	"website_count": 0, "universal_devices_count": 0, "subscription_expiration": 0,
	keyVisible: 1, keyPermitted: 1, "cloud_to_cloud_backup": 0,
}

// localBackupDefaults are local_backup's flags until they are set.
var localBackupDefaults = map[string]int64{keyVisible: 1, keyPermitted: 1}

// The keys of local_backup (privileges has its own of the same names).
const (
	keyVisible   = "visible"
	keyPermitted = "permitted"
)

// localBackupFields are spec.portal's local backup privileges by their portal keys.
func localBackupFields(lb *tenancyv1alpha1.LocalBackupPrivileges) map[string]**bool {
	return map[string]**bool{keyVisible: &lb.Visible, keyPermitted: &lb.Permitted}
}

// privileges are a group's quotas_and_privileges as set: integers by key, and the flags of
// local_backup. Unset keys take the defaults in answers.
type privileges struct {
	Values      map[string]int64
	LocalBackup map[string]int64
}

// privilegesInput is privileges in a request, checked key by key: a key the seed does not
// list, or a value that is not an integer (a 0/1 flag in local_backup), is refused.
type privilegesInput struct{ privileges }

func (p *privilegesInput) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return errBadField("privileges", "must be an object")
	}
	p.Values, p.LocalBackup = map[string]int64{}, map[string]int64{}
	for k, v := range raw {
		if k == "local_backup" {
			if err := decodeInts("privileges.local_backup", v, localBackupDefaults, p.LocalBackup, true); err != nil {
				return err
			}
			continue
		}
		if _, ok := privilegeDefaults[k]; !ok {
			return errBadField("privileges."+k, "is no privilege the portal knows")
		}
		var n int64
		if err := json.Unmarshal(v, &n); err != nil {
			return errBadField("privileges."+k, "must be an integer")
		}
		p.Values[k] = n
	}
	return nil
}

func decodeInts(name string, raw json.RawMessage, known, into map[string]int64, flags bool) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return errBadField(name, "must be an object")
	}
	for k, v := range m {
		var n int64
		if _, ok := known[k]; !ok {
			return errBadField(name+"."+k, "is not a field of %s", name)
		}
		if err := json.Unmarshal(v, &n); err != nil || flags && n != 0 && n != 1 {
			return errBadField(name+"."+k, "must be 0 or 1")
		}
		into[k] = n
	}
	return nil
}

// merge sets the keys in into p.
func (p *privileges) merge(in privileges) {
	if p.Values == nil {
		p.Values = map[string]int64{}
	}
	if p.LocalBackup == nil {
		p.LocalBackup = map[string]int64{}
	}
	maps.Copy(p.Values, in.Values)
	maps.Copy(p.LocalBackup, in.LocalBackup)
}

// view is the answer: every key, set or default.
func (p privileges) view() any {
	return groupPrivileges.with(func(k string) int64 { return valueOr(p.Values, k, privilegeDefaults[k]) },
		func(string) any {
			return localBackupObject.of(func(k string) int64 { return valueOr(p.LocalBackup, k, localBackupDefaults[k]) })
		})
}

// A group's privileges answer as objects of struct types made once from their keys (see
// intObject): a list of children answers one per child.
var (
	localBackupObject = newIntObject(slices.Collect(maps.Keys(localBackupDefaults)))
	groupPrivileges   = newIntObject(slices.Collect(maps.Keys(privilegeDefaults)), localBackupKey)
)

func valueOr(m map[string]int64, k string, d int64) int64 {
	if v, ok := m[k]; ok {
		return v
	}
	return d
}

// pricing is the seed's pricing object as stored and answered.
type pricing struct {
	Price           *float64   `json:"price"`
	Enabled         *int       `json:"enabled"`
	StorageDiscount *float64   `json:"storage_discount"`
	Rating          *int       `json:"rating"`
	ModeUpdateDate  *int64     `json:"mode_update_date"`
	Mode            int        `json:"mode"`
	Currency        string     `json:"currency"`
	Discounts       []discount `json:"discounts"`
}

type discount struct {
	Enabled int    `json:"enabled"`
	Name    string `json:"name"`
}

// pricingInput is pricing in a request.
type pricingInput struct {
	Price           opt[float64]    `json:"price"`
	Enabled         opt[int]        `json:"enabled"`
	StorageDiscount opt[float64]    `json:"storage_discount"`
	Rating          opt[int]        `json:"rating"`
	ModeUpdateDate  opt[int64]      `json:"mode_update_date"`
	Mode            opt[int]        `json:"mode"`
	Currency        opt[string]     `json:"currency"`
	Discounts       opt[[]discount] `json:"discounts"`
}

// maxDiscounts bounds the (deprecated) discounts list.
const maxDiscounts = 16

// apply merges the given fields into p.
func (in *pricingInput) apply(p *pricing) error {
	if err := checkFlag("pricing.enabled", in.Enabled); err != nil {
		return err
	}
	if err := checkText("pricing.currency", in.Currency); err != nil {
		return err
	}
	for name, o := range map[string]opt[float64]{"pricing.price": in.Price, "pricing.storage_discount": in.StorageDiscount} {
		if o.Set && !o.Null && math.Abs(o.V) >= maxDecimal {
			return errBadField(name, "must be less than 10^15 in magnitude")
		}
	}
	if in.Mode.Set && !in.Mode.Null && (in.Mode.V < 1 || in.Mode.V > 3) {
		return errBadField("pricing.mode", "must be 1 (production), 2 (demo) or 3 (persistent demo), not %d", in.Mode.V)
	}
	if in.Rating.Set && !in.Rating.Null && (in.Rating.V < math.MinInt32 || in.Rating.V > math.MaxInt32) {
		return errBadField("pricing.rating", "is out of range")
	}
	if in.Discounts.Set && len(in.Discounts.V) > maxDiscounts {
		return errBadField("pricing.discounts", "holds more than %d items", maxDiscounts)
	}
	for i, d := range in.Discounts.V {
		if d.Enabled != 0 && d.Enabled != 1 {
			return errBadField(fmt.Sprintf("pricing.discounts.%d.enabled", i), "must be 0 or 1")
		}
		if utf8.RuneCountInString(d.Name) > maxText {
			return errBadField(fmt.Sprintf("pricing.discounts.%d.name", i), "is longer than %d characters", maxText)
		}
	}
	setNullable(in.Price, &p.Price)
	setNullable(in.Enabled, &p.Enabled)
	setNullable(in.StorageDiscount, &p.StorageDiscount)
	setNullable(in.Rating, &p.Rating)
	setNullable(in.ModeUpdateDate, &p.ModeUpdateDate)
	for _, f := range []struct {
		name string
		ok   bool
	}{{"pricing.mode", !in.Mode.Null}, {"pricing.currency", !in.Currency.Null}, {"pricing.discounts", !in.Discounts.Null}} {
		if !f.ok {
			return errBadField(f.name, "may not be null")
		}
	}
	if in.Mode.Set {
		p.Mode = in.Mode.V
	}
	if in.Currency.Set {
		p.Currency = in.Currency.V
	}
	if in.Discounts.Set {
		p.Discounts = in.Discounts.V
	}
	return nil
}

// pricingOfSpec is spec.portal.pricing as the seed shows it.
func pricingOfSpec(s *tenancyv1alpha1.GroupPricing) *pricing {
	p := &pricing{Price: decimalOf(s.Price), Enabled: flagOf(s.Enabled), StorageDiscount: decimalOf(s.StorageDiscount),
		ModeUpdateDate: s.ModeUpdateDate, Mode: int(s.Mode), Currency: s.Currency}
	if s.Rating != nil {
		p.Rating = new(int(*s.Rating))
	}
	for _, d := range s.Discounts {
		p.Discounts = append(p.Discounts, discount{Enabled: flag(d.Enabled), Name: d.Name})
	}
	return p
}

// spec is p as spec.portal.pricing holds it.
func (p *pricing) spec() *tenancyv1alpha1.GroupPricing {
	s := &tenancyv1alpha1.GroupPricing{Mode: int32(p.Mode), Enabled: boolOf(p.Enabled), Price: decimalText(p.Price),
		StorageDiscount: decimalText(p.StorageDiscount), ModeUpdateDate: p.ModeUpdateDate, Currency: p.Currency}
	if p.Rating != nil {
		s.Rating = new(int32(*p.Rating))
	}
	for _, d := range p.Discounts {
		s.Discounts = append(s.Discounts, tenancyv1alpha1.PricingDiscount{Enabled: d.Enabled == 1, Name: d.Name})
	}
	return s
}

// decimalOf reads a decimal the spec holds as text (its pattern keeps it a number).
func decimalOf(s *string) *float64 {
	if s == nil {
		return nil
	}
	v, err := strconv.ParseFloat(*s, 64)
	if err != nil {
		return nil
	}
	return &v
}

// decimalText writes a decimal as the spec holds it: at most 6 decimals.
func decimalText(v *float64) *string {
	if v == nil {
		return nil
	}
	s := strconv.FormatFloat(*v, 'f', 6, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return &s
}

// maxDecimal bounds prices and discounts: the spec holds at most 15 integer digits.
const maxDecimal = 1e15

// setNullable stores a nullable field that was given: nil for null.
func setNullable[T any](o opt[T], dst **T) {
	switch {
	case o.Null:
		*dst = nil
	case o.Set:
		v := o.V
		*dst = &v
	}
}
