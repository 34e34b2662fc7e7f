package portal

import (
	"net/http"
)

// appErrors serves h answering the statuses listed in the ApplicationAccountServer dialect
// (inAppDialect) and every other one in the standard envelope. The route's policy is checked
// here, not by serve (the route is registered open), so that its 401, 403 and 415 answer in
// the dialect too.
func (a *API) appErrors(who policy, statuses []int, h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, _ *caller) error {
		var c *caller
		err := error(nil)
		if !who.open {
			c, err = a.admit(r, who)
		}
		if err == nil {
			err = h(w, r, c)
		}
		if err == nil {
			return nil
		}
		return inAppDialect(err, statuses...)
	}
}

// admit authenticates the request and checks who against it, as serve does for every route.
func (a *API) admit(r *http.Request, who policy) (*caller, error) {
	c, err := a.authenticate(r)
	if err == nil {
		err = who.admits(c)
	}
	if err == nil {
		err = who.bodyAccepted(r)
	}
	return c, err
}
