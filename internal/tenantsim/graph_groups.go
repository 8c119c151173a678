package tenantsim

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Microsoft Graph v1.0 groups, read-only and minimal: enough for role-assignable groups that hold directory roles
// (and pass them on to their members) and for the members and owners relationships. Groups are created through
// the control API (AddGroup, AddGroupMember) and the audit fixtures.
//
// Page sizes: "The default and maximum page sizes are 100 and 999 group objects"; members page the same way.

// Permission rules (List groups, Get group and List group members tables, delegated and application rows).
var (
	groupReadRoles = anyOf{"GroupMember.Read.All", "Group.Read.All", "Directory.Read.All", "Group.ReadWrite.All",
		"Directory.ReadWrite.All", "GroupMember.ReadWrite.All", "Group.ManageProtection.All", "Group-NestingSupport.ReadWrite.All"}
	groupMemberReadRoles = anyOf{"GroupMember.Read.All", "Directory.Read.All", "Group.Read.All", "Group.ReadWrite.All",
		"GroupMember.ReadWrite.All", "Directory.ReadWrite.All"}
)

var groupSchema = (&entitySchema{
	typeName: "microsoft.graph.group", resourceName: "Group",
	properties: map[string]propKind{
		"accessType": propText, "allowExternalSenders": propBoolean, "assignedLabels": propCollection,
		"assignedLicenses": propCollection, "autoSubscribeNewMembers": propBoolean, "classification": propText,
		"createdDateTime": propText, "description": propText, "displayName": propText, "expirationDateTime": propText,
		"groupTypes": propCollection, "hasMembersWithLicenseErrors": propBoolean, "hideFromAddressLists": propBoolean,
		"hideFromOutlookClients": propBoolean, "infoCatalogs": propCollection, "isArchived": propBoolean,
		"isAssignableToRole": propBoolean, "isFavorite": propBoolean, "isManagementRestricted": propBoolean,
		"isSubscribedByMail": propBoolean, "licenseProcessingState": propComplex, "mail": propText, "mailEnabled": propBoolean,
		"mailNickname": propText, "membershipRule": propText, "membershipRuleProcessingState": propText,
		"onPremisesDomainName": propText, "onPremisesExtensionAttributes": propComplex, "onPremisesLastSyncDateTime": propText,
		"onPremisesNetBiosName": propText, "onPremisesProvisioningErrors": propCollection, "onPremisesSamAccountName": propText,
		"onPremisesSecurityIdentifier": propText, "onPremisesSyncEnabled": propBoolean, "organizationId": propText,
		"preferredDataLocation": propText, "preferredLanguage": propText, "proxyAddresses": propCollection,
		"renewedDateTime": propText, "resourceBehaviorOptions": propCollection, "resourceProvisioningOptions": propCollection,
		"securityEnabled": propBoolean, "securityIdentifier": propText, "serviceProvisioningErrors": propCollection,
		"theme": propText, "uniqueName": propText, "unseenConversationsCount": propNumber, "unseenCount": propNumber,
		"unseenMessagesCount": propNumber, "visibility": propText, "welcomeMessageEnabled": propBoolean,
		"deletedDateTime": propText, "id": propText,
	},
	// The group properties "returned by default" in the v1.0 group resource documentation.
	defaultSelect: []string{"id", "deletedDateTime", "classification", "createdDateTime", "description", "displayName",
		"expirationDateTime", "groupTypes", "isAssignableToRole", "mail", "mailEnabled", "mailNickname", "membershipRule",
		"membershipRuleProcessingState", "onPremisesDomainName", "onPremisesLastSyncDateTime", "onPremisesNetBiosName",
		"onPremisesSamAccountName", "onPremisesSecurityIdentifier", "onPremisesSyncEnabled", "preferredDataLocation",
		"preferredLanguage", "proxyAddresses", "renewedDateTime", "resourceBehaviorOptions", "resourceProvisioningOptions",
		"securityEnabled", "securityIdentifier", "theme", "uniqueName", "visibility", "onPremisesProvisioningErrors",
		"serviceProvisioningErrors"},
	filterable: map[string]bool{"id": true, "displayName": true, "mailNickname": true, "mail": true, "mailEnabled": true,
		"securityEnabled": true, "isAssignableToRole": true, "onPremisesSyncEnabled": true, "createdDateTime": true},
}).init()

var groupNavs = navTree{"members": nil, "owners": nil}

// groupState is the groups area of the store.
type groupState struct {
	byID  map[string]*groupRecord // key: lower-case object id
	order []string                // object ids in creation order
}

func newGroupState() *groupState { return &groupState{byID: map[string]*groupRecord{}} }

// groupRecord is one group with its direct members and owners (object ids, in the order added).
type groupRecord struct {
	data      map[string]any
	members   []string
	owners    []string
	visibleAt time.Time
}

func (g *groupRecord) id() string                 { s, _ := g.data["id"].(string); return s }
func (g *groupRecord) visible(now time.Time) bool { return !now.Before(g.visibleAt) }
func (g *groupRecord) roleAssignable() bool       { b, _ := g.data["isAssignableToRole"].(bool); return b }
func (g *groupRecord) hasMember(id string) bool {
	return slices.Contains(g.members, strings.ToLower(id))
}
func (d *directory) group(id string) *groupRecord { return d.groups.byID[strings.ToLower(id)] }

func (d *directory) insertGroup(g *groupRecord) {
	key := strings.ToLower(g.id())
	if _, ok := d.groups.byID[key]; !ok {
		d.groups.order = append(d.groups.order, key)
	}
	d.groups.byID[key] = g
}

// Group describes a group for AddGroup. Members are object ids of users, groups or service principals.
type Group struct {
	ID                 string // optional; a new GUID when empty
	DisplayName        string
	Description        string
	MailNickname       string // default: derived from DisplayName
	SecurityEnabled    bool
	MailEnabled        bool
	IsAssignableToRole bool // role-assignable groups must be security groups with mail disabled
	Members            []string
	Owners             []string
	Created            time.Time // default: now
}

var errNoSuchObject = errors.New("no such directory object")

// newGroupData renders a group as Graph returns it.
func newGroupData(g Group) (map[string]any, error) {
	if g.ID == "" {
		g.ID = uuid.NewString()
	}
	id, err := uuid.Parse(g.ID)
	if err != nil {
		return nil, fmt.Errorf("group id %q is not a GUID", g.ID)
	}
	if strings.TrimSpace(g.DisplayName) == "" {
		return nil, errors.New("a group needs a display name")
	}
	if g.IsAssignableToRole && (!g.SecurityEnabled || g.MailEnabled) {
		return nil, errors.New("a role-assignable group must be a security group with mail disabled")
	}
	if g.MailNickname == "" {
		g.MailNickname = strings.Map(func(r rune) rune {
			if r <= ' ' || r > '~' || strings.ContainsRune("@()\\[]\";:<>,", r) {
				return -1
			}
			return r
		}, g.DisplayName)
	}
	if g.Created.IsZero() {
		g.Created = time.Now()
	}
	return map[string]any{
		"id": id.String(), "deletedDateTime": nil, "classification": nil, "createdDateTime": timestamp(g.Created),
		"description": nullableString(g.Description), "displayName": g.DisplayName, "expirationDateTime": nil,
		"groupTypes": []any{}, "isAssignableToRole": g.IsAssignableToRole, "mail": nil, "mailEnabled": g.MailEnabled,
		"mailNickname": g.MailNickname, "membershipRule": nil, "membershipRuleProcessingState": nil,
		"onPremisesDomainName": nil, "onPremisesLastSyncDateTime": nil, "onPremisesNetBiosName": nil,
		"onPremisesSamAccountName": nil, "onPremisesSecurityIdentifier": nil, "onPremisesSyncEnabled": nil,
		"preferredDataLocation": nil, "preferredLanguage": nil, "proxyAddresses": []any{},
		"renewedDateTime": timestamp(g.Created), "resourceBehaviorOptions": []any{}, "resourceProvisioningOptions": []any{},
		"securityEnabled": g.SecurityEnabled, "securityIdentifier": securityIdentifier(id), "theme": nil, "uniqueName": nil,
		"visibility": "Private", "onPremisesProvisioningErrors": []any{}, "serviceProvisioningErrors": []any{},
	}, nil
}

// addGroup stores a group; members and owners must exist. The caller holds the lock.
func (d *directory) addGroup(g Group) (string, error) {
	data, err := newGroupData(g)
	if err != nil {
		return "", err
	}
	id, _ := data["id"].(string)
	if _, exists := d.lookupObject(id, endOfTime); exists {
		return "", fmt.Errorf("an object with id %s already exists", id)
	}
	rec := &groupRecord{data: data}
	for _, m := range g.Members {
		if err := d.addMember(rec, m); err != nil {
			return "", err
		}
	}
	for _, o := range g.Owners {
		if _, ok := d.lookupObject(o, endOfTime); !ok {
			return "", fmt.Errorf("%w: owner %s", errNoSuchObject, o)
		}
		rec.owners = append(rec.owners, strings.ToLower(o))
	}
	d.insertGroup(rec)
	return id, nil
}

// addMember adds a direct member. Role-assignable groups cannot have groups as members, as in Entra.
func (d *directory) addMember(g *groupRecord, memberID string) error {
	obj, ok := d.lookupObject(memberID, endOfTime)
	switch {
	case !ok || obj.typeName == "application":
		return fmt.Errorf("%w: member %s", errNoSuchObject, memberID)
	case obj.typeName == "group" && g.roleAssignable():
		return errors.New("a role-assignable group cannot have groups as members")
	case g.hasMember(memberID):
		return nil
	}
	g.members = append(g.members, strings.ToLower(memberID))
	return nil
}

// ---- handlers ----

// listGroups is GET /groups.
func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, _ []string) *graphError {
	return s.listDirectorySet(w, r, &groupList)
}

var groupList = directoryList{
	name: "groups", schema: groupSchema, navs: groupNavs,
	visible: func(d *directory, now time.Time) []map[string]any {
		var out []map[string]any
		for _, key := range d.groups.order {
			if g := d.groups.byID[key]; g.visible(now) {
				out = append(out, g.data)
			}
		}
		return out
	},
	expand: func(s *Server, src map[string]any, opt expandOption, now time.Time) any {
		id, _ := src["id"].(string)
		return s.expandGroup(s.dir.group(id), opt, now)
	},
}

// expandGroup fills $expand=members or owners (at most 20 objects, as for every directoryObject relationship).
func (s *Server) expandGroup(g *groupRecord, opt expandOption, now time.Time) []any {
	if opt.name == "owners" {
		return s.dir.expandDirectoryObjects(g.owners, now)
	}
	return s.dir.expandDirectoryObjects(g.members, now)
}

func (s *Server) liveGroup(id string, now time.Time) (*groupRecord, *graphError) {
	if gerr := objectKeyError(id); gerr != nil {
		return nil, gerr
	}
	g := s.dir.group(id)
	if g == nil || !g.visible(now) {
		return nil, resourceNotFound(id)
	}
	return g, nil
}

// getGroup is GET /groups/{id}.
func (s *Server) getGroup(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	selected, gerr := parseSelect(r, groupSchema)
	if gerr != nil {
		return gerr
	}
	opts, gerr := parseExpand(r.URL.Query().Get("$expand"), groupSchema.typeName, groupNavs)
	if gerr != nil {
		return gerr
	}
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	g, gerr := s.liveGroup(params[0], now)
	if gerr != nil {
		return gerr
	}
	resp := groupSchema.project(g.data, selected)
	for _, opt := range opts {
		resp[opt.name] = s.expandGroup(g, opt, now)
	}
	resp["@odata.context"] = s.baseURL + "/v1.0/$metadata#groups" + expandContext(selected, opts) + "/$entity"
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}

// listGroupMembers is GET /groups/{id}/members: direct members (not transitive) as directory objects.
func (s *Server) listGroupMembers(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	return s.groupMembers(w, r, params[0], "")
}

// listGroupUserMembers is GET /groups/{id}/members/microsoft.graph.user: the members that are users.
func (s *Server) listGroupUserMembers(w http.ResponseWriter, r *http.Request, params []string) *graphError {
	return s.groupMembers(w, r, params[0], "user")
}

func (s *Server) groupMembers(w http.ResponseWriter, r *http.Request, id, onlyType string) *graphError {
	now := time.Now()
	s.dir.mu.RLock()
	defer s.dir.mu.RUnlock()
	g, gerr := s.liveGroup(id, now)
	if gerr != nil {
		return gerr
	}
	resp, gerr := s.directoryObjectsPage(r, g.members, now, onlyType)
	if gerr != nil {
		return gerr
	}
	writeJSON(w, http.StatusOK, graphContentType, resp)
	return nil
}
