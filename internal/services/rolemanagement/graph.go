package rolemanagement

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/account"
)

// assignment is the identity of one role assignment: who, which role, where.
type assignment struct {
	principalID, roleDefinitionID, scope string
}

func assignmentOf(m pimAssignmentModel) assignment {
	return assignment{principalID: m.PrincipalID.ValueString(), roleDefinitionID: m.RoleDefinitionID.ValueString(), scope: m.DirectoryScopeID.ValueString()}
}

func (a assignment) id() string { return assignmentID(a.principalID, a.roleDefinitionID, a.scope) }

// schedule is what Read learns of an active assignment.
type schedule struct {
	id      string
	endDate string // empty when permanent
}

func (s *schedule) applyTo(m *pimAssignmentModel) {
	m.ScheduleID = types.StringValue(s.id)
	if s.endDate == "" {
		m.EndDateTime = types.StringNull()
	} else {
		m.EndDateTime = types.StringValue(s.endDate)
	}
}

// PIM answers these while a new principal has not reached its replica yet: the request itself is fine.
var principalNotReplicatedCodes = []string{"SubjectNotFound", "PrincipalNotFound", "Request_ResourceNotFound", "ResourceNotFound"}

func isPrincipalNotReplicated(err error) bool {
	ge, ok := clients.AsGraphError(err)
	if !ok {
		return false
	}
	for _, code := range principalNotReplicatedCodes {
		if strings.EqualFold(ge.Code, code) {
			return true
		}
	}
	return false
}

var errNotYetVisible = errors.New("the assignment is not visible in the role assignment schedules yet")

func isNotYetVisible(err error) bool { return errors.Is(err, errNotYetVisible) }

func (a assignment) request(action models.UnifiedRoleScheduleRequestActions, justification string, permanent bool) models.UnifiedRoleAssignmentScheduleRequestable {
	req := models.NewUnifiedRoleAssignmentScheduleRequest()
	req.SetAction(&action)
	req.SetPrincipalId(&a.principalID)
	req.SetRoleDefinitionId(&a.roleDefinitionID)
	req.SetDirectoryScopeId(&a.scope)
	req.SetJustification(&justification)
	if permanent {
		now := time.Now().UTC()
		expiration := models.NewExpirationPattern()
		noExpiration := models.NOEXPIRATION_EXPIRATIONPATTERNTYPE
		expiration.SetTypeEscaped(&noExpiration)
		info := models.NewRequestSchedule()
		info.SetStartDateTime(&now)
		info.SetExpiration(expiration)
		req.SetScheduleInfo(info)
	}
	return req
}

// assignPermanent submits adminAssign with noExpiration, retrying while PIM has not seen the principal yet.
func (a assignment) assignPermanent(ctx context.Context, c *clients.Client, justification string) error {
	body := a.request(models.ADMINASSIGN_UNIFIEDROLESCHEDULEREQUESTACTIONS, justification, true)
	return clients.RetryWhile(ctx, "principal "+a.principalID, isPrincipalNotReplicated, func(ctx context.Context) error {
		_, err := clients.Graph(c).RoleManagement().Directory().RoleAssignmentScheduleRequests().Post(ctx, body, nil)
		return err
	})
}

// makePermanent replaces a time-bound schedule with a permanent one (adminUpdate).
func (a assignment) makePermanent(ctx context.Context, c *clients.Client, justification string) error {
	body := a.request(models.ADMINUPDATE_UNIFIEDROLESCHEDULEREQUESTACTIONS, justification, true)
	_, err := clients.Graph(c).RoleManagement().Directory().RoleAssignmentScheduleRequests().Post(ctx, body, nil)
	return err
}

// remove submits adminRemove; an assignment that is already gone counts as removed. PIM refuses to end an active
// assignment younger than five minutes (ActiveDurationTooShort), so a destroy or replacement right after the
// create waits that out, within the delete timeout.
func (a assignment) remove(ctx context.Context, c *clients.Client, justification string) error {
	body := a.request(models.ADMINREMOVE_UNIFIEDROLESCHEDULEREQUESTACTIONS, justification, false)
	logged := false
	err := clients.RetryWhileRefused(ctx, "PIM still refused to end "+a.principalID+"'s assignment",
		"the assignment to be 5 minutes old (ActiveDurationTooShort)", func(err error) bool {
			ge, ok := clients.AsGraphError(err)
			tooYoung := ok && ge.Code == "ActiveDurationTooShort"
			if tooYoung && !logged {
				tflog.Info(ctx, "PIM refuses to end an assignment younger than 5 minutes; waiting until it may", map[string]any{
					"principal_id": a.principalID, "role_definition_id": a.roleDefinitionID})
				logged = true
			}
			return tooYoung
		}, func(ctx context.Context) error {
			_, err := clients.Graph(c).RoleManagement().Directory().RoleAssignmentScheduleRequests().Post(ctx, body, nil)
			return err
		})
	if ge, ok := clients.AsGraphError(err); ok && ge.Code == "RoleAssignmentDoesNotExist" {
		return nil
	}
	return err
}

func (a assignment) createDirect(ctx context.Context, c *clients.Client) error {
	body := models.NewUnifiedRoleAssignment()
	body.SetPrincipalId(&a.principalID)
	body.SetRoleDefinitionId(&a.roleDefinitionID)
	body.SetDirectoryScopeId(&a.scope)
	return clients.RetryWhile(ctx, "principal "+a.principalID, isPrincipalNotReplicated, func(ctx context.Context) error {
		_, err := clients.Graph(c).RoleManagement().Directory().RoleAssignments().Post(ctx, body, nil)
		return err
	})
}

func (a assignment) deleteDirect(ctx context.Context, c *clients.Client, id string) error {
	err := clients.Graph(c).RoleManagement().Directory().RoleAssignments().ByUnifiedRoleAssignmentId(id).Delete(ctx, nil)
	if clients.IsNotFound(err) {
		return nil
	}
	return err
}

// assignmentFilter is the $filter for one principal's assignments of one role. The ids are validated GUIDs today,
// but state can be edited and role ids come from Graph, so each is an OData string literal with ' doubled: no value
// can end the literal and add a clause.
func assignmentFilter(principalID, roleDefinitionID string) string {
	return "principalId eq " + clients.ODataString(principalID) + " and roleDefinitionId eq " + clients.ODataString(roleDefinitionID)
}

// read finds the active assignment at this scope, or nil. PIM reads the assignment schedules (which also show
// assignments made outside PIM); direct reads roleAssignments.
func (a assignment) read(ctx context.Context, c *clients.Client, method string) (*schedule, error) {
	filter := assignmentFilter(a.principalID, a.roleDefinitionID)
	if method == methodDirect {
		resp, err := clients.Graph(c).RoleManagement().Directory().RoleAssignments().Get(ctx, &rolemanagement.DirectoryRoleAssignmentsRequestBuilderGetRequestConfiguration{
			QueryParameters: &rolemanagement.DirectoryRoleAssignmentsRequestBuilderGetQueryParameters{Filter: &filter},
		})
		if err != nil {
			return nil, err
		}
		for _, ra := range resp.GetValue() {
			if strings.EqualFold(helpers.Deref(ra.GetDirectoryScopeId()), a.scope) {
				return &schedule{id: helpers.Deref(ra.GetId())}, nil
			}
		}
		return nil, nil
	}
	resp, err := clients.Graph(c).RoleManagement().Directory().RoleAssignmentSchedules().Get(ctx, &rolemanagement.DirectoryRoleAssignmentSchedulesRequestBuilderGetRequestConfiguration{
		QueryParameters: &rolemanagement.DirectoryRoleAssignmentSchedulesRequestBuilderGetQueryParameters{Filter: &filter},
	})
	if err != nil {
		return nil, err
	}
	for _, s := range resp.GetValue() {
		// An Activated schedule is someone's time-bound activation of an eligible assignment, not the assignment
		// this resource manages, whatever the order Graph lists them in.
		if !strings.EqualFold(helpers.Deref(s.GetDirectoryScopeId()), a.scope) || strings.EqualFold(helpers.Deref(s.GetAssignmentType()), "Activated") {
			continue
		}
		return &schedule{id: helpers.Deref(s.GetId()), endDate: scheduleEnd(s.GetScheduleInfo())}, nil
	}
	return nil, nil
}

// scheduleEnd is when a schedule ends (RFC 3339), "" if it never does. An afterDuration expiration has a duration
// and no endDateTime, so its end is startDateTime plus the duration; if Graph gives neither, the schedule still
// ends, and the raw expiration says so.
func scheduleEnd(info models.RequestScheduleable) string {
	if info == nil || info.GetExpiration() == nil {
		return ""
	}
	exp := info.GetExpiration()
	switch {
	case exp.GetTypeEscaped() == nil || *exp.GetTypeEscaped() == models.NOEXPIRATION_EXPIRATIONPATTERNTYPE:
		return ""
	case exp.GetEndDateTime() != nil:
		return exp.GetEndDateTime().UTC().Format(time.RFC3339)
	}
	if d := exp.GetDuration(); d != nil && info.GetStartDateTime() != nil {
		if length, err := d.ToDuration(); err == nil {
			return info.GetStartDateTime().Add(length).UTC().Format(time.RFC3339)
		}
	}
	return exp.GetTypeEscaped().String() // bounded, end unknown: still not permanent
}

// explain turns PIM's refusals into what the user can do about them.
func (a assignment) explain(verb, roleName, method string, err error) string {
	ge, _ := clients.AsGraphError(err)
	if roleName == "" {
		roleName = a.roleDefinitionID
	}
	switch {
	case ge.Code == "RoleAssignmentExists":
		return fmt.Sprintf("%s already holds %s at scope %s. To manage the existing assignment with Terraform, import it:\n\n"+
			"  terraform import <resource address> %s\n\nor with an import block:\n\n  import {\n    to = <resource address>\n    id = %q\n  }",
			a.principalID, roleName, a.scope, a.id(), a.id())
	case ge.Code == "RoleAssignmentRequestPolicyValidationFailed" && strings.Contains(ge.Message, "ExpirationRule"):
		return fmt.Sprintf("The PIM policy of %s requires active assignments to expire (rule Expiration_Admin_Assignment, "+
			"isExpirationRequired = true), so PIM refuses a permanent active assignment, and the provider will not make a "+
			"time-bound one in its place. Allow permanent active assignments for this role: Entra admin center > ID Governance > "+
			"Privileged Identity Management > Microsoft Entra roles > Settings > %s > Edit > Assignment > tick \"Allow permanent "+
			"active assignment\" (Graph: PATCH the policy's Expiration_Admin_Assignment rule with isExpirationRequired = false). "+
			"Graph said: %s", roleName, roleName, ge.Message)
	}
	perm := permRoleScheduleWrite
	if method == methodDirect {
		perm = permRoleWrite
	}
	return clients.Explain(fmt.Sprintf("%s %s for %s", verb, roleName, a.principalID), perm, err)
}

// userFitness reports whether a user is synced and how many licenses it holds, from what this provider instance
// already read of the user (breakglass_account) or else from Graph; ok is false for non-users or when the read
// fails (the warning is advisory and must not block the plan).
func userFitness(ctx context.Context, c *clients.Client, id string) (account.UserFitness, bool) {
	if f, ok := account.KnownUserFitness(c, id); ok {
		return f, true
	}
	u, err := clients.Graph(c).Users().ByUserId(id).Get(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: []string{"id", "onPremisesSyncEnabled", "assignedLicenses"}},
	})
	if err != nil {
		return account.UserFitness{}, false
	}
	f := account.UserFitness{Synced: u.GetOnPremisesSyncEnabled() != nil && *u.GetOnPremisesSyncEnabled(), Licenses: len(u.GetAssignedLicenses())}
	account.RememberUserFitness(c, id, f)
	return f, true
}
