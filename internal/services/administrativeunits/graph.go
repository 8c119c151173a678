package administrativeunits

import (
	"context"
	"fmt"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/directory"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
)

// unit is what a read of the administrative unit returns.
type unit struct {
	displayName, description string
	restricted               bool
}

var unitSelect = []string{"id", "displayName", "description", "isMemberManagementRestricted"}

func getUnit(ctx context.Context, c *clients.Client, id string) (unit, error) {
	au, err := clients.Graph(c).Directory().AdministrativeUnits().ByAdministrativeUnitId(id).Get(ctx,
		&directory.AdministrativeUnitsAdministrativeUnitItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &directory.AdministrativeUnitsAdministrativeUnitItemRequestBuilderGetQueryParameters{Select: unitSelect},
		})
	if err != nil {
		return unit{}, err
	}
	restricted := au.GetIsMemberManagementRestricted()
	return unit{displayName: helpers.Deref(au.GetDisplayName()), description: helpers.Deref(au.GetDescription()),
		restricted: restricted != nil && *restricted}, nil
}

// createUnit creates the unit restricted: the setting can be given only at creation.
func createUnit(ctx context.Context, c *clients.Client, displayName, description string) (string, error) {
	body := models.NewAdministrativeUnit()
	body.SetDisplayName(&displayName)
	if description != "" {
		body.SetDescription(&description)
	}
	restricted := true
	body.SetIsMemberManagementRestricted(&restricted)
	created, err := clients.Graph(c).Directory().AdministrativeUnits().Post(ctx, body, nil)
	if err != nil {
		return "", err
	}
	return helpers.Deref(created.GetId()), nil
}

// updateUnit sets the display name and description; an empty description clears it (the SDK does not send null).
func updateUnit(ctx context.Context, c *clients.Client, id, displayName, description string) error {
	body := models.NewAdministrativeUnit()
	body.SetDisplayName(&displayName)
	body.SetDescription(&description)
	_, err := clients.Graph(c).Directory().AdministrativeUnits().ByAdministrativeUnitId(id).Patch(ctx, body, nil)
	return err
}

// members are the unit's direct members by lower-case object id, with whether each is a group.
type members map[string]bool

// listMembers reads every member of the unit (all pages, ids and types only).
func listMembers(ctx context.Context, c *clients.Client, id string) (members, error) {
	builder := clients.Graph(c).Directory().AdministrativeUnits().ByAdministrativeUnitId(id).Members()
	top := clients.MaxPageSize
	out := members{}
	err := clients.ListAll(ctx,
		func(ctx context.Context) (models.DirectoryObjectCollectionResponseable, error) {
			return builder.Get(ctx, &directory.AdministrativeUnitsItemMembersRequestBuilderGetRequestConfiguration{
				QueryParameters: &directory.AdministrativeUnitsItemMembersRequestBuilderGetQueryParameters{Select: []string{"id"}, Top: &top},
			})
		},
		func(ctx context.Context, link string) (models.DirectoryObjectCollectionResponseable, error) {
			return builder.WithUrl(link).Get(ctx, nil)
		},
		func(o models.DirectoryObjectable) {
			_, group := o.(models.Groupable)
			out[strings.ToLower(helpers.Deref(o.GetId()))] = group
		})
	return out, err
}

// addMember adds a user or group; one that is already a member counts as added. A member created moments ago may
// not have reached the replica yet (404): that is retried within the context's deadline.
func addMember(ctx context.Context, c *clients.Client, unitID, memberID string) error {
	ref := models.NewReferenceCreate()
	odataID := strings.TrimSuffix(c.Endpoints.GraphEndpoint, "/") + "/v1.0/directoryObjects/" + memberID
	ref.SetOdataId(&odataID)
	err := clients.RetryWhileNotFound(ctx, "member "+memberID, func(ctx context.Context) error {
		return clients.Graph(c).Directory().AdministrativeUnits().ByAdministrativeUnitId(unitID).Members().Ref().Post(ctx, ref, nil)
	})
	if ge, ok := clients.AsGraphError(err); ok && ge.Status == 400 && strings.Contains(ge.Message, "already exist") {
		return nil
	}
	return err
}

// removeMember removes a member; one that is no longer a member counts as removed.
func removeMember(ctx context.Context, c *clients.Client, unitID, memberID string) error {
	err := clients.Graph(c).Directory().AdministrativeUnits().ByAdministrativeUnitId(unitID).Members().ByDirectoryObjectId(memberID).Ref().Delete(ctx, nil)
	if clients.IsNotFound(err) {
		return nil
	}
	return err
}

// deleteUnit deletes the unit; one already gone counts as deleted.
func deleteUnit(ctx context.Context, c *clients.Client, id string) error {
	err := clients.Graph(c).Directory().AdministrativeUnits().ByAdministrativeUnitId(id).Delete(ctx, nil)
	if clients.IsNotFound(err) {
		return nil
	}
	return err
}

// explainManage explains a refused change of the unit's membership or its deletion. Entra lets only Global
// Administrator and Privileged Role Administrator, assigned at tenant scope, add or remove members of a restricted
// management unit or delete it, on top of the Graph permission ("Restricted management administrative units in
// Microsoft Entra ID": "Add or remove members from a restricted management administrative unit").
func explainManage(operation string, err error) string {
	if !clients.IsForbidden(err) {
		return clients.Explain(operation, permUnitWrite, err)
	}
	ge, _ := clients.AsGraphError(err)
	return fmt.Sprintf("%s: Entra lets only an identity holding Global Administrator or Privileged Role Administrator at tenant "+
		"scope add or remove members of a restricted management administrative unit, or delete it, and the identity also needs "+
		"the Microsoft Graph application permission %s. Assign Privileged Role Administrator to the provider's identity (Entra "+
		"admin center > Roles & admins > Privileged Role Administrator > Add assignments, active) and grant %s with admin "+
		"consent, then run Terraform again. Graph said: %s %s", operation, permUnitWrite.Name, permUnitWrite.Name, ge.Code, ge.Message)
}
