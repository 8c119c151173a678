package rolemanagement

import (
	"context"
	"fmt"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/validate"
)

// GlobalAdministratorRoleID is the template id of Global Administrator, the same in every tenant.
const GlobalAdministratorRoleID = "62e90394-69f5-4237-9190-012177145e10"

// privilegedRoleTemplates are the built-in roles Microsoft labels PRIVILEGED ("Microsoft Entra built-in roles",
// MicrosoftDocs/entra-docs docs/identity/role-based-access-control/permissions-reference.md, "All roles", dated
// 2026-01-20). unifiedRoleDefinition.isPrivileged carries the same label but is a beta-only property: Graph v1.0
// does not return it, so the provider falls back to this list whenever a role definition comes without it.
var privilegedRoleTemplates = map[string]string{
	"db506228-d27e-4b7d-95e5-295956d6615f": "Agent ID Administrator",
	"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
	"cf1c38e5-3621-4004-a7cb-879624dced7c": "Application Developer",
	"ecb2c6bf-0ab6-418e-bd87-7986f8d63bbe": "Attribute Provisioning Administrator",
	"422218e4-db15-4ef9-bbe0-8afb41546d79": "Attribute Provisioning Reader",
	"c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
	"25a516ed-2fa0-40ea-a2d0-12923a21473a": "Authentication Extensibility Administrator",
	"aaf43236-0c0d-4d5f-883a-6955382ac081": "B2C IEF Keyset Administrator",
	"158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
	"7698a772-787b-4ac8-901f-60d6b08affd2": "Cloud Device Administrator",
	"b1be1c3e-b65d-4f19-8427-f6fa0d97feb9": "Conditional Access Administrator",
	"9360feb5-f418-4baa-8175-e2a00bac4301": "Directory Writers",
	"8329153b-31d0-4727-b945-745eb3bc5f31": "Domain Name Administrator",
	"be2f45a1-457d-42af-a067-6ec1fa63bc45": "External Identity Provider Administrator",
	"62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
	"f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
	"729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
	"8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2": "Hybrid Identity Administrator",
	"3a2c62db-5318-420d-8d74-23affee5d9d5": "Intune Administrator",
	"59d46f88-662b-457b-bceb-5c3809e5908f": "Lifecycle Workflows Administrator",
	"4ba39ca4-527c-499a-b93d-d9b492c50246": "Partner Tier1 Support",
	"e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8": "Partner Tier2 Support",
	"966707d0-3269-4727-9be2-8c3a10f19b9d": "Password Administrator",
	"7be44c8a-adaf-4e2a-84d6-ab2649e08a13": "Privileged Authentication Administrator",
	"e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
	"194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
	"5f2222b1-57c3-48ba-8ad5-d4759f1fde6f": "Security Operator",
	"5d6b6bb7-de71-4623-b4af-96380a352509": "Security Reader",
	"fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
}

// PrivilegedRoleTemplateIDs returns the template ids of the built-in roles Microsoft labels PRIVILEGED, the
// fallback for tenants whose role definitions do not carry isPrivileged.
func PrivilegedRoleTemplateIDs() []string {
	out := make([]string, 0, len(privilegedRoleTemplates))
	for id := range privilegedRoleTemplates {
		out = append(out, id)
	}
	return out
}

// RoleInfo is a directory role as the audit data sources report it.
type RoleInfo struct {
	ID           string // the template id of a built-in role, the id of a custom one
	Name         string
	IsPrivileged bool
}

// RoleSet is the tenant's role definitions with their privileged flag.
type RoleSet struct {
	catalog    roleCatalog
	privileged map[string]bool // lower-case id -> privileged
}

// ByID finds a role by id or template id, ignoring case.
func (s RoleSet) ByID(id string) (RoleInfo, bool) {
	r, ok := s.catalog.byID(id)
	if !ok {
		return RoleInfo{}, false
	}
	return RoleInfo{ID: r.ID, Name: r.Name, IsPrivileged: s.privileged[strings.ToLower(r.ID)]}, true
}

// Resolve turns a role name or id into the role, with the PIM resource's suggestions for a name that is close
// to a real one.
func (s RoleSet) Resolve(nameOrID string) (RoleInfo, error) {
	if id := strings.TrimSpace(nameOrID); validate.IsGUID(id) {
		if r, ok := s.ByID(id); ok {
			return r, nil
		}
		return RoleInfo{}, fmt.Errorf("no role definition has the id %s in this tenant. Built-in roles use their template id, "+
			"e.g. %s for Global Administrator; or give the role's name", id, GlobalAdministratorRoleID)
	}
	r, err := s.catalog.byName(nameOrID)
	if err != nil {
		return RoleInfo{}, err
	}
	info, _ := s.ByID(r.ID)
	return info, nil
}

// Roles labels the tenant's role definitions (read once per provider instance, shared with the PIM resource)
// privileged: by isPrivileged when Graph returns it, otherwise by privilegedRoleTemplates. A custom role without
// isPrivileged counts as not privileged.
func Roles(ctx context.Context, c *clients.Client) (RoleSet, error) {
	defs, err := tenantRoleDefinitions(ctx, c)
	if err != nil {
		return RoleSet{}, err
	}
	set := RoleSet{catalog: make(roleCatalog, 0, len(defs)), privileged: make(map[string]bool, len(defs))}
	for _, def := range defs {
		r := fromGraph(def)
		set.catalog = append(set.catalog, r)
		set.privileged[strings.ToLower(r.ID)] = IsPrivileged(def)
	}
	return set, nil
}

// IsPrivileged reports a role definition's PRIVILEGED label: isPrivileged when the answer carries it (beta, or a
// future v1.0), else whether its template id is in Microsoft's list of privileged built-in roles.
func IsPrivileged(def models.UnifiedRoleDefinitionable) bool {
	if def == nil {
		return false
	}
	switch v := def.GetAdditionalData()["isPrivileged"].(type) {
	case *bool:
		if v != nil {
			return *v
		}
	case bool:
		return v
	}
	id := helpers.Deref(def.GetTemplateId())
	if id == "" {
		id = helpers.Deref(def.GetId())
	}
	_, ok := privilegedRoleTemplates[strings.ToLower(id)]
	return ok
}
