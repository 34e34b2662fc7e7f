package identity

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	tenancyv1alpha1 "github.com/tessera-dev/tessera/api/v1alpha1"
	"github.com/tessera-dev/tessera/internal/credential"
	"github.com/tessera-dev/tessera/internal/people"
	"github.com/tessera-dev/tessera/internal/principal"
)

// listUsers pages through every user's id, 0-based, ordered by the Accounts' integer ids.
func (a *API) listUsers(w http.ResponseWriter, r *http.Request, _ *principal.Principal) error {
	page, count, err := pageQuery(r)
	if err != nil {
		return err
	}
	list := &tenancyv1alpha1.AccountList{}
	if err := a.Client.List(r.Context(), list); err != nil {
		return err
	}
	items := slices.DeleteFunc(list.Items, func(x tenancyv1alpha1.Account) bool {
		return x.DeletionTimestamp != nil || x.Spec.AccountID == ""
	})
	slices.SortFunc(items, func(x, y tenancyv1alpha1.Account) int { return cmp.Compare(x.Spec.ID, y.Spec.ID) })
	maxPage := 0
	if len(items) > 0 {
		maxPage = (len(items) - 1) / count
	}
	users := []string{}
	lo := min(page*count, len(items))
	for _, x := range items[lo:min(lo+count, len(items))] {
		users = append(users, x.Spec.AccountID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"max_page": maxPage, "users": users})
	return nil
}

// pageQuery reads ?page= (from 0, default 0) and ?count= (1–1000, default 50).
func pageQuery(r *http.Request) (page, count int, err error) {
	q := r.URL.Query()
	page, count = 0, 50
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, errField("page", "must be an integer of at least 0")
		}
		page = n
	}
	if v := q.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return 0, 0, errField("count", "must be an integer from 1 to 1000")
		}
		count = n
	}
	return page, count, nil
}

func (a *API) getUser(w http.ResponseWriter, _ *http.Request, _ *principal.Principal, user *tenancyv1alpha1.Account) error {
	var sur *string
	if v, ok := user.Annotations[AnnotationSurName]; ok && v != "" {
		sur = &v
	}
	roles := user.Spec.Roles
	if roles == nil {
		roles = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": user.Spec.AccountID, fieldNickName: cmp.Or(user.Spec.Profile.NickName, user.Spec.Login),
		"first_name": user.Spec.Profile.FirstName, "last_name": user.Spec.Profile.LastName, "sur_name": sur,
		fieldEmail: user.Spec.Profile.Email, "roles": roles, "projects": projectsOf(user),
		"active_tasks": []string{}, "active_sessions": []string{},
	})
	return nil
}

func projectsOf(acct *tenancyv1alpha1.Account) []string {
	ps := []string{}
	if v := acct.Annotations[AnnotationProjects]; v != "" {
		_ = json.Unmarshal([]byte(v), &ps)
	}
	return ps
}

// userUpdate is PUT /user/{uuid}'s body; every field is optional.
type userUpdate struct {
	userFields
	Projects []string `json:"projects"`
}

func (b *userUpdate) check() error {
	if b.Email != nil {
		if err := checkEmail(*b.Email); err != nil {
			return err
		}
	}
	if err := cmp.Or(b.checkNamesAndRoles(), checkProjects(b.Projects)); err != nil {
		return err
	}
	if b.Password != nil {
		return checkPassword(*b.Password)
	}
	return nil
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request, p *principal.Principal, user *tenancyv1alpha1.Account) error {
	var body userUpdate
	if err := decode(r, &body); err != nil {
		return err
	}
	if err := body.check(); err != nil {
		return err
	}
	upd, err := a.applyUpdate(r.Context(), p, user, &body)
	if err != nil {
		return err
	}
	if !equalAccount(user, upd) {
		if err := a.Client.Patch(r.Context(), upd, client.MergeFrom(user)); err != nil {
			if people.IsDuplicate(err, emailField) {
				return errEmailTaken(*body.Email)
			}
			return err
		}
		_ = credential.WaitVisible(r.Context(), a.Client, upd)
	}
	if body.Password != nil {
		if err := people.SetPassword(r.Context(), a.Client, upd, *body.Password); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{fieldStatus: "user updated"})
	return nil
}

// applyUpdate returns user with body's fields set, once p may set them and a new e-mail is free.
func (a *API) applyUpdate(ctx context.Context, p *principal.Principal, user *tenancyv1alpha1.Account, body *userUpdate) (*tenancyv1alpha1.Account, error) {
	upd := user.DeepCopy()
	if body.Roles != nil {
		roles := sortedSet(body.Roles)
		if err := mayHoldRoles(ctx, p, roles, user.Spec.Roles); err != nil {
			return nil, err
		}
		upd.Spec.Roles = roles
	}
	if body.Email != nil && !strings.EqualFold(*body.Email, user.Spec.Profile.Email) {
		if other, err := a.byIndex(ctx, IndexEmail, strings.ToLower(*body.Email)); err != nil {
			return nil, err
		} else if other != nil {
			return nil, errEmailTaken(*body.Email)
		}
		upd.Spec.Profile.Email = *body.Email
		// Set here, the e-mail is a sign-in name: admission claims it.
		if upd.Labels == nil {
			upd.Labels = map[string]string{}
		}
		upd.Labels[tenancyv1alpha1.LabelEmailLogin] = tenancyv1alpha1.LabelEmailLoginEnabled
	}
	if body.FirstName != nil {
		upd.Spec.Profile.FirstName = *body.FirstName
	}
	if body.LastName != nil {
		upd.Spec.Profile.LastName = *body.LastName
	}
	if body.SurName != nil || body.Projects != nil {
		if upd.Annotations == nil {
			upd.Annotations = map[string]string{}
		}
		if body.SurName != nil {
			upd.Annotations[AnnotationSurName] = *body.SurName
		}
		if body.Projects != nil {
			raw, _ := json.Marshal(body.Projects)
			upd.Annotations[AnnotationProjects] = string(raw)
		}
	}
	return upd, nil
}

// equalAccount reports that an update changes nothing a patch would write.
func equalAccount(a, b *tenancyv1alpha1.Account) bool {
	return slices.Equal(a.Spec.Roles, b.Spec.Roles) && a.Spec.Profile == b.Spec.Profile && maps.Equal(a.Annotations, b.Annotations)
}

func (a *API) deleteUser(w http.ResponseWriter, r *http.Request, _ *principal.Principal, user *tenancyv1alpha1.Account) error {
	if err := a.Client.Delete(r.Context(), user.DeepCopy(), client.Preconditions{UID: &user.UID}); client.IgnoreNotFound(err) != nil {
		return err
	}
	_ = people.WaitDeleted(r.Context(), a.Client, user)
	writeJSON(w, http.StatusOK, map[string]string{fieldStatus: "user removed"})
	return nil
}
