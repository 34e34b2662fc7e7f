package identity

import (
	"cmp"
	"net/http"
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/tessera-dev/tessera/internal/rest"
)

// decode reads a JSON body strictly (one value, no unknown fields, only UTF-8 text), whatever
// the Content-Type says: the seed shows JSON bodies and names no media type, so a client that
// sends text/plain is read, and a body that is not JSON answers 400. Its errors are
// rest.DecodeJSON's, for the writer to render (problems.go).
func decode(r *http.Request, dst any) error {
	r.Header.Set("Content-Type", "application/json")
	return rest.DecodeJSON(r, dst)
}

var (
	nickPattern  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{2,127}$`)
	emailPattern = regexp.MustCompile(`^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$`)
	rolePattern  = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
)

// maxSignInName is the longest e-mail address; logins and nick names are shorter.
const maxSignInName = 254

func checkNick(nick *string) error {
	switch {
	case nick == nil || *nick == "":
		return errField(fieldNickName, "is required")
	case !nickPattern.MatchString(*nick):
		return errField(fieldNickName, "must be 3–128 characters: letters, digits and . _ @ -, starting with a letter or digit")
	}
	return nil
}

func checkEmail(email string) error {
	if !emailPattern.MatchString(email) || len(email) > maxSignInName {
		return errField(fieldEmail, "is not an e-mail address")
	}
	return nil
}

func checkName(field string, v *string) error {
	if v != nil && utf8.RuneCountInString(*v) > 128 {
		return errField(field, "must be at most 128 characters")
	}
	return nil
}

func checkPassword(p string) error {
	if n := utf8.RuneCountInString(p); n < 8 || n > 128 {
		return errField("password", "must be 8–128 characters")
	}
	return nil
}

func checkRoles(roles []string) error {
	for _, r := range roles {
		if !rolePattern.MatchString(r) {
			return errField("roles", "%q is not a role: lower-case letters, digits, _ and -, starting with a letter", r)
		}
	}
	if len(roles) > 32 {
		return errField("roles", "at most 32 roles")
	}
	return nil
}

func checkProjects(ps []string) error {
	for _, p := range ps {
		if _, err := uuid.Parse(p); err != nil {
			return errField("projects", "%q is not a UUID", p)
		}
	}
	if len(ps) > 256 {
		return errField("projects", "at most 256 projects")
	}
	return nil
}

// userFields are the fields registration and update share.
type userFields struct {
	FirstName *string  `json:"first_name"`
	LastName  *string  `json:"last_name"`
	SurName   *string  `json:"sur_name"`
	Email     *string  `json:"email"`
	Password  *string  `json:"password"`
	Roles     []string `json:"roles"`
}

func (f *userFields) checkNamesAndRoles() error {
	return cmp.Or(checkName("first_name", f.FirstName), checkName("last_name", f.LastName),
		checkName("sur_name", f.SurName), checkRoles(f.Roles))
}

// sortedSet returns s sorted without repeats, leaving s as it was.
func sortedSet(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return slices.Compact(c)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
