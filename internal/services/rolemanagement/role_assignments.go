package rolemanagement

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	graphrm "github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
)

// How breakglass_role_assignments reads a tenant, in four paged lists (the last three at the same time) and nothing
// per row:
//
//  1. roleManagement/directory/roleDefinitions: names and the privileged label (Roles; cached per provider).
//  2. roleAssignmentSchedules?$select=id,createdUsing,scheduleInfo&$top=999: how each active assignment was made.
//  3. roleAssignmentScheduleInstances?$expand=principal&$top=999: every active assignment in force, whether made
//     through PIM or directly through roleAssignments, plus one instance per member of a role-assignable group
//     that holds a role (memberType "Group"). $expand=principal brings each principal's type, name and UPN or
//     appId in the same page, so principals cost no request of their own.
//  4. roleEligibilityScheduleInstances?$expand=principal&$top=999: the eligible assignments (skipped when
//     include_eligible is false).
//
// Made outside PIM: an assignment created with POST roleManagement/directory/roleAssignments (or in the portal's
// classic role blade, or by Graph PowerShell's New-MgRoleManagementDirectoryRoleAssignment) also shows as a
// roleAssignmentSchedule, but one that no PIM request created: its createdUsing is null (and its id is the
// roleAssignment id), while a PIM schedule's createdUsing names the roleAssignmentScheduleRequest that made it.
// outside_pim is therefore "active, and its schedule's createdUsing is null"; when the schedule is missing from the
// list (a replication race), the instance's roleAssignmentScheduleId equal to its roleAssignmentOriginId (the
// roleAssignment id) says the same. Eligible assignments exist only through PIM, so they are never outside PIM.

// Values of RoleAssignment's enumerations, as the data source reports them.
const (
	StateActive   = "active"
	StateEligible = "eligible"

	MemberTypeDirect = "direct"
	MemberTypeGroup  = "group"

	PrincipalUser             = "user"
	PrincipalGroup            = "group"
	PrincipalServicePrincipal = "servicePrincipal"
	// PrincipalUnknown is a principal Graph did not expand, e.g. one deleted moments ago.
	PrincipalUnknown = "unknown"
)

// RoleAssignment is one row of breakglass_role_assignments: who holds which role, where, and how.
type RoleAssignment struct {
	PrincipalID          string
	PrincipalType        string
	PrincipalDisplayName string
	UserPrincipalName    string // users only
	AppID                string // service principals only
	RoleDefinitionID     string
	RoleName             string
	IsPrivileged         bool
	DirectoryScopeID     string
	State                string // StateActive or StateEligible
	MemberType           string // MemberTypeDirect or MemberTypeGroup (held through a role-assignable group)
	Permanent            bool   // no end date
	Start, End           *time.Time
	OutsidePIM           bool
}

// stepError names the Graph call that failed, for clients.Explain.
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// Step returns what the provider was doing when err happened, for error messages.
func Step(err error, fallback string) string {
	if se := (*stepError)(nil); errors.As(err, &se) {
		return se.step
	}
	return fallback
}

func step(name string, err error) error {
	if err == nil {
		return nil
	}
	return &stepError{step: name, err: err}
}

// scheduleFacts is what the active schedules add to an instance.
type scheduleFacts struct {
	createdUsing string
	start        *time.Time
}

// ListRoleAssignments reads every active directory role assignment and, with includeEligible, every eligible
// one, in the order Sort gives. The three lists are read at the same time. Permission: RoleManagement.Read.Directory.
func ListRoleAssignments(ctx context.Context, c *clients.Client, includeEligible bool) ([]RoleAssignment, error) {
	roles, err := Roles(ctx, c)
	if err != nil {
		return nil, step("listing role definitions", err)
	}
	top := clients.MaxPageSize
	dir := clients.Graph(c).RoleManagement().Directory()

	schedules := map[string]scheduleFacts{}
	readSchedules := func(ctx context.Context) error {
		return step("listing role assignment schedules", clients.ListAll(ctx,
			func(ctx context.Context) (models.UnifiedRoleAssignmentScheduleCollectionResponseable, error) {
				return dir.RoleAssignmentSchedules().Get(ctx, &graphrm.DirectoryRoleAssignmentSchedulesRequestBuilderGetRequestConfiguration{
					QueryParameters: &graphrm.DirectoryRoleAssignmentSchedulesRequestBuilderGetQueryParameters{
						Select: []string{"id", "createdUsing", "scheduleInfo"}, Top: &top,
					},
				})
			},
			func(ctx context.Context, link string) (models.UnifiedRoleAssignmentScheduleCollectionResponseable, error) {
				return dir.RoleAssignmentSchedules().WithUrl(link).Get(ctx, nil)
			},
			func(s models.UnifiedRoleAssignmentScheduleable) {
				facts := scheduleFacts{createdUsing: helpers.Deref(s.GetCreatedUsing())}
				if info := s.GetScheduleInfo(); info != nil {
					facts.start = info.GetStartDateTime()
				}
				schedules[strings.ToLower(helpers.Deref(s.GetId()))] = facts
			}))
	}

	// origin is how an active row relates to its schedule, resolved once the schedules are in.
	type origin struct{ scheduleID, roleAssignmentID string }
	var active []RoleAssignment
	var origins []origin
	readActive := func(ctx context.Context) error {
		return step("listing active role assignments (roleAssignmentScheduleInstances)", clients.ListAll(ctx,
			func(ctx context.Context) (models.UnifiedRoleAssignmentScheduleInstanceCollectionResponseable, error) {
				return dir.RoleAssignmentScheduleInstances().Get(ctx, &graphrm.DirectoryRoleAssignmentScheduleInstancesRequestBuilderGetRequestConfiguration{
					QueryParameters: &graphrm.DirectoryRoleAssignmentScheduleInstancesRequestBuilderGetQueryParameters{
						Select: []string{"id", "principalId", "roleDefinitionId", "directoryScopeId", "startDateTime", "endDateTime",
							"memberType", "assignmentType", "roleAssignmentOriginId", "roleAssignmentScheduleId"},
						Expand: []string{"principal"}, Top: &top,
					},
				})
			},
			func(ctx context.Context, link string) (models.UnifiedRoleAssignmentScheduleInstanceCollectionResponseable, error) {
				return dir.RoleAssignmentScheduleInstances().WithUrl(link).Get(ctx, nil)
			},
			func(in models.UnifiedRoleAssignmentScheduleInstanceable) {
				active = append(active, newRow(roles, StateActive, in.GetPrincipalId(), in.GetPrincipal(), in.GetRoleDefinitionId(),
					in.GetDirectoryScopeId(), in.GetMemberType(), in.GetStartDateTime(), in.GetEndDateTime()))
				origins = append(origins, origin{helpers.Deref(in.GetRoleAssignmentScheduleId()), helpers.Deref(in.GetRoleAssignmentOriginId())})
			}))
	}

	var eligible []RoleAssignment
	readEligible := func(ctx context.Context) error {
		return step("listing eligible role assignments (roleEligibilityScheduleInstances)", clients.ListAll(ctx,
			func(ctx context.Context) (models.UnifiedRoleEligibilityScheduleInstanceCollectionResponseable, error) {
				return dir.RoleEligibilityScheduleInstances().Get(ctx, &graphrm.DirectoryRoleEligibilityScheduleInstancesRequestBuilderGetRequestConfiguration{
					QueryParameters: &graphrm.DirectoryRoleEligibilityScheduleInstancesRequestBuilderGetQueryParameters{
						Select: []string{"id", "principalId", "roleDefinitionId", "directoryScopeId", "startDateTime", "endDateTime",
							"memberType", "roleEligibilityScheduleId"},
						Expand: []string{"principal"}, Top: &top,
					},
				})
			},
			func(ctx context.Context, link string) (models.UnifiedRoleEligibilityScheduleInstanceCollectionResponseable, error) {
				return dir.RoleEligibilityScheduleInstances().WithUrl(link).Get(ctx, nil)
			},
			func(in models.UnifiedRoleEligibilityScheduleInstanceable) {
				eligible = append(eligible, newRow(roles, StateEligible, in.GetPrincipalId(), in.GetPrincipal(), in.GetRoleDefinitionId(),
					in.GetDirectoryScopeId(), in.GetMemberType(), in.GetStartDateTime(), in.GetEndDateTime()))
			}))
	}

	reads := []func(context.Context) error{readSchedules, readActive}
	if includeEligible {
		reads = append(reads, readEligible)
	}
	if err := clients.Parallel(ctx, reads...); err != nil {
		return nil, err
	}
	for i := range active {
		o := origins[i]
		if facts, ok := schedules[strings.ToLower(o.scheduleID)]; ok {
			active[i].OutsidePIM = facts.createdUsing == ""
			if active[i].Start == nil {
				// An assignment made outside PIM has no instance start; its schedule still says since when.
				active[i].Start = facts.start
			}
		} else {
			active[i].OutsidePIM = o.scheduleID != "" && strings.EqualFold(o.scheduleID, o.roleAssignmentID)
		}
	}
	rows := append(active, eligible...)
	Sort(rows)
	return rows, nil
}

func newRow(roles RoleSet, state string, principalID *string, principal models.DirectoryObjectable, roleID, scope, memberType *string, start, end *time.Time) RoleAssignment {
	row := RoleAssignment{
		PrincipalID: strings.ToLower(helpers.Deref(principalID)), RoleDefinitionID: helpers.Deref(roleID), DirectoryScopeID: helpers.Deref(scope),
		State: state, MemberType: MemberTypeDirect, Start: start, End: end, Permanent: end == nil,
	}
	if strings.EqualFold(helpers.Deref(memberType), "Group") {
		row.MemberType = MemberTypeGroup
	}
	if r, ok := roles.ByID(row.RoleDefinitionID); ok {
		row.RoleDefinitionID, row.RoleName, row.IsPrivileged = r.ID, r.Name, r.IsPrivileged
	}
	row.PrincipalType, row.PrincipalDisplayName, row.UserPrincipalName, row.AppID = describePrincipal(principal)
	return row
}

// describePrincipal reads an expanded principal: its type from the object's derived type (@odata.type).
func describePrincipal(obj models.DirectoryObjectable) (kind, name, upn, appID string) {
	switch p := obj.(type) {
	case nil:
		return PrincipalUnknown, "", "", ""
	case models.Userable:
		return PrincipalUser, helpers.Deref(p.GetDisplayName()), helpers.Deref(p.GetUserPrincipalName()), ""
	case models.ServicePrincipalable:
		return PrincipalServicePrincipal, helpers.Deref(p.GetDisplayName()), "", helpers.Deref(p.GetAppId())
	case models.Groupable:
		return PrincipalGroup, helpers.Deref(p.GetDisplayName()), "", ""
	}
	switch strings.TrimPrefix(helpers.Deref(obj.GetOdataType()), "#microsoft.graph.") {
	case "user":
		return PrincipalUser, "", "", ""
	case "group":
		return PrincipalGroup, "", "", ""
	case "servicePrincipal":
		return PrincipalServicePrincipal, "", "", ""
	}
	return PrincipalUnknown, "", "", ""
}

// Sort orders rows by role name, state (active first), principal name and id, then member type, so that plans
// stay stable across reads.
func Sort(rows []RoleAssignment) {
	slices.SortStableFunc(rows, func(a, b RoleAssignment) int {
		return cmp.Or(
			cmp.Compare(strings.ToLower(a.RoleName), strings.ToLower(b.RoleName)),
			cmp.Compare(a.RoleDefinitionID, b.RoleDefinitionID),
			cmp.Compare(a.State, b.State),
			cmp.Compare(strings.ToLower(a.PrincipalDisplayName), strings.ToLower(b.PrincipalDisplayName)),
			cmp.Compare(a.PrincipalID, b.PrincipalID),
			cmp.Compare(a.MemberType, b.MemberType),
			cmp.Compare(a.DirectoryScopeID, b.DirectoryScopeID),
		)
	})
}

// Filter narrows the rows; empty sets keep everything.
type Filter struct {
	RoleIDs        map[string]bool // lower-case role definition ids
	PrincipalTypes map[string]bool
	PrivilegedOnly bool
}

// Apply returns the rows the filter keeps, in their order.
func (f Filter) Apply(rows []RoleAssignment) []RoleAssignment {
	out := make([]RoleAssignment, 0, len(rows))
	for _, r := range rows {
		switch {
		case len(f.RoleIDs) > 0 && !f.RoleIDs[strings.ToLower(r.RoleDefinitionID)]:
		case len(f.PrincipalTypes) > 0 && !f.PrincipalTypes[r.PrincipalType]:
		case f.PrivilegedOnly && !r.IsPrivileged:
		default:
			out = append(out, r)
		}
	}
	return out
}

// Summary is what the data source's summary attributes report about a list of rows.
type Summary struct {
	CountByRole map[string]int // role name (the id when the tenant has no such role) -> rows
	// GlobalAdministrators counts the distinct users and service principals holding Global Administrator actively,
	// directly or through a group (a group is not counted itself: its members are, each with its own row).
	GlobalAdministrators int
	// PermanentPrivileged counts active, permanent assignments of privileged roles, per principal, role and scope,
	// again counting a group's members rather than the group.
	PermanentPrivileged int
}

// Summarize computes the summary attributes of rows.
func Summarize(rows []RoleAssignment) Summary {
	s := Summary{CountByRole: map[string]int{}}
	globalAdmins := map[string]bool{}
	permanent := map[[3]string]bool{}
	for _, r := range rows {
		s.CountByRole[cmp.Or(r.RoleName, r.RoleDefinitionID)]++
		if r.State != StateActive || r.PrincipalType == PrincipalGroup {
			continue
		}
		if strings.EqualFold(r.RoleDefinitionID, GlobalAdministratorRoleID) {
			globalAdmins[r.PrincipalID] = true
		}
		if r.Permanent && r.IsPrivileged {
			permanent[[3]string{r.PrincipalID, strings.ToLower(r.RoleDefinitionID), r.DirectoryScopeID}] = true
		}
	}
	s.GlobalAdministrators, s.PermanentPrivileged = len(globalAdmins), len(permanent)
	return s
}
