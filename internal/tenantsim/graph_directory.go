package tenantsim

import (
	"net/http"
	"strings"
	"time"
)

// deletedItemsContext is the context Graph gives directory objects read through /directory/deletedItems.
func deletedItemsContext(baseURL string, selected []string, entity bool) string {
	return contextURL(baseURL, "directoryObjects", selected, entity)
}

// deletedUser finds a soft-deleted user by object id.
func (d *directory) deletedUser(id string) *userRecord {
	if u := d.users.byID[strings.ToLower(id)]; u != nil && u.deleted {
		return u
	}
	return nil
}

// listDeletedUsers is GET /directory/deletedItems/microsoft.graph.user.
func (s *Server) listDeletedUsers(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	q, gerr := parseListQuery(r, deletedUserSchema, graphDefaultPage, graphMaxPage)
	if gerr == nil {
		gerr = checkSignInActivityAccess(r, q.selected)
	}
	if gerr != nil {
		return gerr
	}
	s.dir.mu.RLock()
	resp := q.page(r, deletedUserSchema, s.baseURL, contextURL(s.baseURL, "directoryObjects/microsoft.graph.user", q.selected, false),
		userData(s.dir.usersWhere(func(u *userRecord) bool { return u.deleted })))
	s.dir.mu.RUnlock()
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}

// getDeletedItem is GET /directory/deletedItems/{id}.
func (s *Server) getDeletedItem(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	id := params[0]
	if gerr := userKeyError(id); gerr != nil {
		return gerr
	}
	selected, gerr := parseSelect(r, deletedUserSchema)
	if gerr == nil {
		gerr = checkSignInActivityAccess(r, selected)
	}
	if gerr != nil {
		return gerr
	}
	s.dir.mu.RLock()
	u := s.dir.deletedUser(id)
	var resp map[string]any
	if u != nil {
		resp = deletedUserSchema.project(u.data, selected)
	}
	s.dir.mu.RUnlock()
	if u == nil {
		return resourceNotFound(id)
	}
	resp["@odata.context"] = deletedItemsContext(s.baseURL, selected, true)
	resp["@odata.type"] = "#microsoft.graph.user"
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}

// purgeDeletedItem is DELETE /directory/deletedItems/{id}: permanent deletion, which frees the UPN.
func (s *Server) purgeDeletedItem(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	id := params[0]
	if gerr := userKeyError(id); gerr != nil {
		return gerr
	}
	s.dir.mu.Lock()
	defer s.dir.mu.Unlock()
	u := s.dir.deletedUser(id)
	if u == nil {
		return resourceNotFound(id)
	}
	s.dir.removeUser(u.id())
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// restoreDeletedItem is POST /directory/deletedItems/{id}/restore; it answers 200 with the restored object.
func (s *Server) restoreDeletedItem(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	id := params[0]
	if gerr := userKeyError(id); gerr != nil {
		return gerr
	}
	s.dir.mu.Lock()
	u := s.dir.deletedUser(id)
	var resp map[string]any
	if u != nil && s.dir.upnTaken(u.deletedUPN, u.id()) {
		s.dir.mu.Unlock()
		return badRequest(msgDuplicateUPN)
	}
	if u != nil {
		u.deleted = false
		u.data["userPrincipalName"] = u.deletedUPN
		u.data["deletedDateTime"] = nil
		u.visibleAt = time.Time{}
		resp = userSchema.project(u.data, nil)
	}
	s.dir.mu.Unlock()
	if u == nil {
		return resourceNotFound(id)
	}
	resp["@odata.context"] = deletedItemsContext(s.baseURL, nil, true)
	resp["@odata.type"] = "#microsoft.graph.user"
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}
