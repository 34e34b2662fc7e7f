package portal

import "net/http"

// route is one endpoint of the seed: its pattern ("GET /groups/{group}", the path under
// /api/1), who may call it (the seed's AllowedTo and the access bits), and its handler.
type route struct {
	pattern string
	who     policy
	h       handler
}

// routes is the route table: the endpoints Tessera implements, and the families it does not
// (they need a backup product), each answering 501 in the standard envelope. A path or method
// not listed answers 404 or 405 (with Allow) in the envelope too.
func (a *API) routes() []route {
	rs := []route{
		{"GET /docs/spec", openPolicy, a.getSpec},
		{"GET /logic/constants", readers, a.getConstants},
		{"GET /logic/rules", readers, a.getRules},

		{"GET /groups", readers, a.search},
		{"GET /groups/{group}", readers, a.getGroup},
		{"PUT /groups/{group}", writers, a.putGroup},
		{"DELETE /groups/{group}", deleters, a.deleteGroup},
		{"GET /groups/{group}/children", readers, a.listChildren},
		{"POST /groups/{group}/children", writers, a.createChild},
		{"POST /groups/{group}/lock", partners, a.lockGroup},
		{"DELETE /groups/{group}/lock", partners, a.unlockGroup},
	}
	rs = append(rs, a.actionRoutes()...)
	rs = append(rs, a.authRoutes()...)
	rs = append(rs, a.peopleRoutes()...)
	rs = append(rs, a.settingsRoutes()...)
	for _, f := range notImplemented {
		for _, pattern := range f.endpoints {
			rs = append(rs, route{pattern, openPolicy, unimplemented(f.family)})
		}
	}
	return rs
}

// notImplemented lists the seed's endpoints of the families out of scope.
var notImplemented = []struct {
	family    string
	endpoints []string
}{
	{"/datacenter", []string{"GET /datacenter/backupservers", "POST /datacenter/backupservers",
		"POST /datacenter/backupservers/online_agents", "POST /datacenter/gateways"}},
	{"storages", []string{"GET /groups/{group}/storages", "POST /groups/{group}/storages", "PUT /groups/{group}/storages",
		"GET /groups/{group}/storages/{storage}", "PUT /groups/{group}/storages/{storage}",
		"DELETE /groups/{group}/storages/{storage}"}},
	{"reports", []string{"GET /groups/{group}/reports/ordered", "POST /groups/{group}/reports/ordered",
		"GET /groups/{group}/reports/scheduled", "PUT /groups/{group}/reports/scheduled", "GET /reports", "POST /reports",
		"GET /reports/{report}", "PUT /reports/{report}", "DELETE /reports/{report}", "POST /reports/{report}/adhoc",
		"POST /reports/{report}/send"}},
	{"migration", []string{"GET /groups/{group}/migration", "PUT /groups/{group}/migration"}},
	{"the backup console", []string{"GET /groups/{group}/backupconsole"}},
	{"backup-server migration", []string{"PUT /groups/{group}/backup_server_migration"}},
	{"/users/{user}/hosts", []string{"POST /users/{user}/hosts"}},
	{"/users/{user}/machines", []string{"HEAD /users/{user}/machines", "POST /users/{user}/machines"}},
	{"/ca", []string{"GET /ca/certificate", "GET /ca/crl"}},
}

// unimplemented answers a family Tessera does not implement: 501.
func unimplemented(family string) handler {
	return func(http.ResponseWriter, *http.Request, *caller) error { return errNotImplemented(family) }
}
