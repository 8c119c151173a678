package rolemanagement

import (
	"context"
	"errors"
	"strings"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// DirectAssignment is a permanent active role assignment made outside PIM (roleManagement/directory/
// roleAssignments), for an area that must give an identity a role at the scope of an object it manages:
// breakglass_restricted_management_unit gives the unit's manager a role scoped to the unit. It is this package's
// assignment code (the direct method of breakglass_pim_permanent_assignment) behind an exported face.
type DirectAssignment struct {
	PrincipalID, RoleDefinitionID, Scope string
}

func (d DirectAssignment) assignment() assignment {
	return assignment{principalID: d.PrincipalID, roleDefinitionID: d.RoleDefinitionID, scope: d.Scope}
}

// Create makes the assignment, or adopts it when the principal already holds the role at the scope (a retry after
// a failed apply, or an assignment made by hand before import), and returns its id once roleAssignments lists it:
// Entra authorizes the principal by what that list holds, so the caller's next write under the role must not
// race its replication.
func (d DirectAssignment) Create(ctx context.Context, c *clients.Client) (string, error) {
	a := d.assignment()
	if err := a.createDirect(ctx, c); err != nil && !isConflict(err) {
		return "", err
	}
	var id string
	err := clients.RetryWhile(ctx, "the new role assignment", isNotYetVisible, func(ctx context.Context) error {
		found, err := a.read(ctx, c, methodDirect)
		if err == nil && found == nil {
			return errNotYetVisible
		}
		if found != nil {
			id = found.id
		}
		return err
	})
	return id, err
}

// Find returns the id of the assignment in force, "" when there is none.
func (d DirectAssignment) Find(ctx context.Context, c *clients.Client) (string, error) {
	found, err := d.assignment().read(ctx, c, methodDirect)
	if err != nil || found == nil {
		return "", err
	}
	return found.id, nil
}

// Delete removes the assignment with this id; one already gone counts as removed.
func (d DirectAssignment) Delete(ctx context.Context, c *clients.Client, id string) error {
	return d.assignment().deleteDirect(ctx, c, id)
}

// Explain turns a refusal of Create, Find or Delete into what the user can do about it; verb is e.g. "assigning".
func (d DirectAssignment) Explain(verb string, err error) string {
	if errors.Is(err, errNotYetVisible) {
		return verb + " " + d.RoleDefinitionID + " for " + d.PrincipalID + " at " + d.Scope + ": " + err.Error()
	}
	return d.assignment().explain(verb, "", methodDirect, err)
}

// isConflict is the directory's answer to a duplicate assignment: Request_BadRequest "A conflicting object with one
// or more of the specified property values is present in the directory." (msgraph-sdk-powershell#3173).
func isConflict(err error) bool {
	ge, ok := clients.AsGraphError(err)
	return ok && ge.Status == 400 && strings.Contains(ge.Message, "conflicting object")
}
