package tenantsim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Directory objects: the users, groups, service principals and applications that relationships of type
// directoryObject return (group members, owners, $expand=principal) and POST /directoryObjects/getByIds.
//
// "Limited information returned for inaccessible member objects": an app that may read a relationship but not the
// type of an object in it gets the object's @odata.type and id, every other property null (permissions reference).

// getByIdsRoles: "directoryObject: getByIds" documents Directory.Read.All only; Directory.ReadWrite.All is its
// superset.
var getByIdsRoles = anyOf{"Directory.Read.All", "Directory.ReadWrite.All"}

// maxGetByIds is getByIds' documented limit: "You can specify up to 1000 IDs".
const maxGetByIds = 1000

// dirObject is a live directory object found by id.
type dirObject struct {
	typeName string // user, group, servicePrincipal or application
	schema   *entitySchema
	data     map[string]any
}

// lookupObject finds a live, replicated directory object by object id. The caller holds the lock.
func (d *directory) lookupObject(id string, now time.Time) (dirObject, bool) {
	key := strings.ToLower(id)
	if u, ok := d.users.byID[key]; ok && !u.deleted && u.visible(now) {
		return dirObject{"user", userSchema, u.data}, true
	}
	if g, ok := d.groups.byID[key]; ok && g.visible(now) {
		return dirObject{"group", groupSchema, g.data}, true
	}
	if sp, ok := d.apps.sps[key]; ok && sp.visible(now) {
		return dirObject{"servicePrincipal", servicePrincipalSchema, sp.data}, true
	}
	if a, ok := d.apps.byID[key]; ok && a.visible(now) {
		return dirObject{"application", applicationSchema, a.data}, true
	}
	if a := d.aus.unit(key); a != nil {
		return dirObject{"administrativeUnit", auSchema, a.data}, true
	}
	return dirObject{}, false
}

// json renders the object as a member of a directoryObject collection: its @odata.type and the selected
// properties it has (its default properties without $select). limited keeps only @odata.type and id.
func (o dirObject) json(selected []string, limited bool) map[string]any {
	var names []string
	if selected != nil {
		names = []string{}
		for _, name := range selected {
			if canonical, ok := o.schema.lookup(name); ok {
				names = append(names, canonical)
			}
		}
	}
	var out map[string]any
	if o.typeName == "servicePrincipal" || o.typeName == "application" {
		out = projectCredentialed(o.schema, o.data, names)
	} else {
		out = o.schema.project(o.data, names)
	}
	if limited {
		for key := range out {
			if key != "id" {
				out[key] = nil
			}
		}
	}
	out["@odata.type"] = "#microsoft.graph." + o.typeName
	return out
}

// readRolesFor are the permissions that let an app read objects of a type in full.
var readRolesFor = map[string][]string{
	"user":               {"User.Read.All", "User.ReadWrite.All", "User.ReadBasic.All", "Directory.Read.All", "Directory.ReadWrite.All"},
	"group":              {"Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All", "GroupMember.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
	"servicePrincipal":   {"Application.Read.All", "Application.ReadWrite.All", "Application.ReadWrite.OwnedBy", "Directory.Read.All", "Directory.ReadWrite.All"},
	"application":        {"Application.Read.All", "Application.ReadWrite.All", "Application.ReadWrite.OwnedBy", "Directory.Read.All", "Directory.ReadWrite.All"},
	"administrativeUnit": {"AdministrativeUnit.Read.All", "AdministrativeUnit.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"},
}

// directoryObjectSchemas are the types a directoryObject $select may name properties of.
var directoryObjectSchemas = []*entitySchema{userSchema, groupSchema, servicePrincipalSchema, applicationSchema}

// parseDirectoryObjectSelect reads $select over a directoryObject collection: a name must exist on one of the
// derived types.
func parseDirectoryObjectSelect(r *http.Request) ([]string, *graphError) {
	raw := r.URL.Query().Get("$select")
	if raw == "" {
		return nil, nil
	}
	out := []string{}
	for _, part := range strings.Split(raw, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !slices.ContainsFunc(directoryObjectSchemas, func(sc *entitySchema) bool { _, ok := sc.lookup(part); return ok }) {
			return nil, badRequest(fmt.Sprintf("Could not find a property named '%s' on type 'microsoft.graph.directoryObject'.", part))
		}
		out = append(out, part)
	}
	return out, nil
}

// directoryObjectsPage answers a directoryObject relationship (members, owners) with $select and paging at 100 by
// default and 999 at most. The caller holds the lock.
func (s *Server) writeDirectoryObjects(w http.ResponseWriter, r *http.Request, ids []string, now time.Time) *graphError {
	resp, gerr := s.directoryObjectsPage(r, ids, now, "")
	if gerr != nil {
		return gerr
	}
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}

// directoryObjectsPage pages the live objects among ids; onlyType keeps one derived type (a cast segment such as
// /members/microsoft.graph.user). The caller holds the lock.
func (s *Server) directoryObjectsPage(r *http.Request, ids []string, now time.Time, onlyType string) (map[string]any, *graphError) {
	values := r.URL.Query()
	if values.Get("$filter") != "" || values.Get("$orderby") != "" || values.Get("$search") != "" {
		return nil, newGraphError(http.StatusBadRequest, "Request_UnsupportedQuery",
			"The requested query options are not supported on this relationship without advanced query capabilities.")
	}
	var selected []string
	var gerr *graphError
	set := "directoryObjects"
	if onlyType == "user" {
		set = "users"
		selected, gerr = parseSelect(r, userSchema)
	} else {
		selected, gerr = parseDirectoryObjectSelect(r)
	}
	if gerr != nil {
		return nil, gerr
	}
	q := &listQuery{top: graphDefaultPage, selected: selected}
	if raw := values.Get("$top"); raw != "" {
		var n int
		if _, err := fmt.Sscan(raw, &n); err != nil || n < 1 || n > graphMaxPage {
			return nil, badRequest(fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and %d inclusive.", raw, graphMaxPage))
		}
		q.top = n
	}
	if raw := values.Get("$skiptoken"); raw != "" {
		offset, ok := decodeSkipToken(raw)
		if !ok {
			return nil, badRequest("Invalid skip token: '" + raw + "'.")
		}
		q.offset = offset
	}
	claims := callerClaims(r)
	var objects []dirObject
	for _, id := range ids {
		if obj, ok := s.dir.lookupObject(id, now); ok && (onlyType == "" || obj.typeName == onlyType) {
			objects = append(objects, obj)
		}
	}
	end := min(q.offset+q.top, len(objects))
	value := make([]any, 0, max(end-q.offset, 0))
	for i := q.offset; i < end; i++ {
		obj := objects[i]
		limited := claims != nil && !claims.hasAny(readRolesFor[obj.typeName])
		item := obj.json(selected, limited)
		if onlyType != "" {
			delete(item, "@odata.type")
		}
		value = append(value, item)
	}
	resp := map[string]any{"@odata.context": contextURL(s.baseURL, set, selected, false), "value": value}
	if end < len(objects) {
		resp["@odata.nextLink"] = nextLink(r, s.baseURL, end)
	}
	return resp, nil
}

// directoryObjectTypes are the directoryObject types getByIds accepts in "types" (case-insensitive), mapped to the
// types the simulator holds ("" = a real type it has no objects of).
var directoryObjectTypes = map[string]string{
	"directoryobject": "*", "user": "user", "group": "group", "serviceprincipal": "servicePrincipal",
	"application": "application", "device": "", "orgcontact": "", "contact": "", "administrativeunit": "administrativeUnit",
	"directoryrole": "", "directoryroletemplate": "",
}

// getByIds is POST /directoryObjects/getByIds {"ids": [...], "types": [...]}: the objects found, in the order of
// ids, each with its @odata.type; unknown ids are left out. Users come with the default user properties.
func (s *Server) getByIds(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	body, gerr := decodeBody(r)
	if gerr != nil {
		return gerr
	}
	var ids []string
	wanted := map[string]bool{}
	for key, value := range body {
		list, ok := value.([]any)
		if value != nil && !ok {
			return newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("Cannot read the value of parameter '%s': a collection is expected.", key))
		}
		switch key {
		case "ids":
			for _, v := range list {
				id, ok := v.(string)
				if !ok {
					return primitiveMismatch("Edm.String")
				}
				ids = append(ids, id)
			}
		case "types":
			for _, v := range list {
				name, _ := v.(string)
				typ, known := directoryObjectTypes[strings.ToLower(strings.TrimPrefix(name, "microsoft.graph."))]
				if !known {
					return badRequest(fmt.Sprintf("Invalid value specified for property 'types': '%s' is not a directory object type.", name))
				}
				wanted[typ] = true
			}
		default:
			return newGraphError(http.StatusBadRequest, "BadRequest", fmt.Sprintf("The parameter '%s' in the request payload is not a valid parameter for the operation 'getByIds'.", key))
		}
	}
	switch {
	case len(ids) == 0:
		return valueRequired("ids")
	case len(ids) > maxGetByIds:
		return badRequest(fmt.Sprintf("The number of ids (%d) exceeds the maximum of %d.", len(ids), maxGetByIds))
	}
	for _, id := range ids {
		if uuid.Validate(id) != nil {
			return badRequest(fmt.Sprintf("Invalid object identifier '%s'.", id))
		}
	}
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	value := []any{}
	seen := map[string]bool{}
	for _, id := range ids {
		key := strings.ToLower(id)
		if seen[key] {
			continue
		}
		seen[key] = true
		obj, ok := s.dir.lookupObject(id, now)
		if !ok || (len(wanted) > 0 && !wanted["*"] && !wanted[obj.typeName]) {
			continue
		}
		value = append(value, obj.json(nil, false))
	}
	writeJSON(w, http.StatusOK, graphContentType, map[string]any{
		"@odata.context": s.baseURL + "/v1.0/$metadata#directoryObjects", "value": value,
	})
	return nil
}

// expandDirectoryObjects renders an expanded directoryObject relationship: at most expandMaxItems live objects.
// The caller holds the lock.
func (d *directory) expandDirectoryObjects(ids []string, now time.Time) []any {
	out := []any{}
	for _, id := range ids {
		if obj, ok := d.lookupObject(id, now); ok && len(out) < expandMaxItems {
			out = append(out, obj.json(nil, false))
		}
	}
	return out
}

// directoryList is what the list handlers of applications, service principals and groups differ in: the entity
// set, its schema and navigation properties, whether keyCredentials' keys are nulled unless selected
// (credentialed), the replicated objects in creation order (visible) and how an expanded navigation property is
// filled (expand). visible and expand run under the lock.
type directoryList struct {
	name         string
	schema       *entitySchema
	navs         navTree
	credentialed bool
	visible      func(d *directory, now time.Time) []map[string]any
	expand       func(s *Server, src map[string]any, opt expandOption, now time.Time) any
}

// listDirectorySet lists with $filter, $select and $expand; a page with $expand holds at most expandMaxPage
// objects.
func (s *Server) listDirectorySet(w http.ResponseWriter, r *http.Request, set *directoryList) *graphError {
	q, gerr := parseListQuery(r, set.schema, graphDefaultPage, graphMaxPage)
	if gerr != nil {
		return gerr
	}
	opts, gerr := parseExpand(r.URL.Query().Get("$expand"), set.schema.typeName, set.navs)
	if gerr != nil {
		return gerr
	}
	if len(opts) > 0 {
		q.top = min(q.top, expandMaxPage)
	}
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	var matched []map[string]any
	for _, item := range set.visible(s.dir, now) {
		if q.filter == nil || q.filter.match(item) {
			matched = append(matched, item)
		}
	}
	unfiltered := *q
	unfiltered.filter = nil
	page := unfiltered.page
	if set.credentialed {
		page = unfiltered.pageNullingKeys
	}
	resp := page(r, set.schema, s.baseURL, s.baseURL+"/v1.0/$metadata#"+set.name+expandContext(q.selected, opts), matched)
	for i, item := range valueList(resp) {
		for _, opt := range opts {
			item[opt.name] = set.expand(s, matched[q.offset+i], opt, now)
		}
	}
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}
