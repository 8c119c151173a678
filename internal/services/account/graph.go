package account

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
)

type tfsdkConfig = tfsdk.Config

// passwordPolicies keeps the emergency password from expiring: an expired password is a locked door.
const passwordPolicies = "DisablePasswordExpiration"

// userSelect is every property Read maps to state; asking for them by name keeps the response small.
var userSelect = []string{
	"id", "displayName", "userPrincipalName", "mailNickname", "accountEnabled", "usageLocation",
	"passwordPolicies", "authorizationInfo", "onPremisesSyncEnabled", "assignedLicenses",
}

type graphUser struct{ models.Userable }

// getUser reads a user by object id or UPN.
func getUser(ctx context.Context, c *clients.Client, idOrUPN string) (graphUser, error) {
	u, err := clients.Graph(c).Users().ByUserId(idOrUPN).Get(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: userSelect},
	})
	if err == nil && u.GetId() != nil {
		RememberUserFitness(c, *u.GetId(), UserFitness{
			Synced:   u.GetOnPremisesSyncEnabled() != nil && *u.GetOnPremisesSyncEnabled(),
			Licenses: len(u.GetAssignedLicenses()),
		})
	}
	return graphUser{u}, err
}

// applyTo copies what Graph reports into the model, so a change made outside Terraform shows as drift.
func (u graphUser) applyTo(ctx context.Context, m *accountModel) diag.Diagnostics {
	var diags diag.Diagnostics
	m.ID = types.StringValue(helpers.Deref(u.GetId()))
	m.ObjectID = m.ID
	m.DisplayName = types.StringPointerValue(u.GetDisplayName())
	m.UserPrincipalName = types.StringPointerValue(u.GetUserPrincipalName())
	m.MailNickname = types.StringPointerValue(u.GetMailNickname())
	m.AccountEnabled = types.BoolValue(u.GetAccountEnabled() != nil && *u.GetAccountEnabled())
	m.UsageLocation = types.StringPointerValue(u.GetUsageLocation())
	m.OnPremisesSyncEnabled = types.BoolValue(u.GetOnPremisesSyncEnabled() != nil && *u.GetOnPremisesSyncEnabled())

	licenses := []attr.Value{}
	for _, l := range u.GetAssignedLicenses() {
		if l.GetSkuId() != nil {
			licenses = append(licenses, types.StringValue(l.GetSkuId().String()))
		}
	}
	m.AssignedLicenses = types.SetValueMust(types.StringType, licenses)

	var certIDs []string
	if info := u.GetAuthorizationInfo(); info != nil {
		certIDs = info.GetCertificateUserIds()
	}
	// An unset attribute and an empty list in Graph are the same thing; keep null so the plan stays empty.
	if len(certIDs) == 0 && m.CertificateUserIDs.IsNull() {
		return diags
	}
	set, d := types.SetValueFrom(ctx, types.StringType, certIDs)
	diags.Append(d...)
	m.CertificateUserIDs = set
	return diags
}

// newUserBody is the POST /users body: a cloud-only member whose password never expires and is not to be changed
// at first sign-in (nobody will be there to change it in an emergency).
func newUserBody(ctx context.Context, m accountModel, password string) (models.Userable, diag.Diagnostics) {
	u := models.NewUser()
	u.SetAccountEnabled(m.AccountEnabled.ValueBoolPointer())
	u.SetDisplayName(m.DisplayName.ValueStringPointer())
	u.SetMailNickname(m.MailNickname.ValueStringPointer())
	u.SetUserPrincipalName(m.UserPrincipalName.ValueStringPointer())
	u.SetPasswordProfile(passwordProfile(password))
	u.SetPasswordPolicies(new(passwordPolicies))
	if !m.UsageLocation.IsNull() && !m.UsageLocation.IsUnknown() {
		u.SetUsageLocation(m.UsageLocation.ValueStringPointer())
	}
	diags := setCertificateUserIDs(ctx, u, m.CertificateUserIDs, false)
	return u, diags
}

// patchUserBody holds only what changed, so a PATCH never rewrites what someone else set on other properties.
func patchUserBody(ctx context.Context, plan, state accountModel, password string) (models.Userable, diag.Diagnostics) {
	u := models.NewUser()
	if !plan.DisplayName.Equal(state.DisplayName) {
		u.SetDisplayName(plan.DisplayName.ValueStringPointer())
	}
	if !plan.UserPrincipalName.IsUnknown() && !plan.UserPrincipalName.Equal(state.UserPrincipalName) {
		u.SetUserPrincipalName(plan.UserPrincipalName.ValueStringPointer())
	}
	if !plan.MailNickname.IsUnknown() && !plan.MailNickname.Equal(state.MailNickname) {
		u.SetMailNickname(plan.MailNickname.ValueStringPointer())
	}
	if !plan.AccountEnabled.Equal(state.AccountEnabled) {
		u.SetAccountEnabled(plan.AccountEnabled.ValueBoolPointer())
	}
	if !plan.UsageLocation.IsUnknown() && !plan.UsageLocation.IsNull() && !plan.UsageLocation.Equal(state.UsageLocation) {
		u.SetUsageLocation(plan.UsageLocation.ValueStringPointer())
	}
	if password != "" {
		u.SetPasswordProfile(passwordProfile(password))
		u.SetPasswordPolicies(new(passwordPolicies))
	}
	var diags diag.Diagnostics
	if !plan.CertificateUserIDs.Equal(state.CertificateUserIDs) {
		diags = setCertificateUserIDs(ctx, u, plan.CertificateUserIDs, true)
	}
	return u, diags
}

func passwordProfile(password string) models.PasswordProfileable {
	p := models.NewPasswordProfile()
	p.SetPassword(&password)
	p.SetForceChangePasswordNextSignIn(new(false))
	return p
}

// setCertificateUserIDs sets authorizationInfo; on update an empty set is sent as [] to remove the bindings.
func setCertificateUserIDs(ctx context.Context, u models.Userable, set types.Set, update bool) diag.Diagnostics {
	if set.IsUnknown() || set.IsNull() && !update {
		return nil
	}
	ids := []string{}
	diags := set.ElementsAs(ctx, &ids, false)
	slices.Sort(ids)
	info := models.NewAuthorizationInfo()
	info.SetCertificateUserIds(ids)
	u.SetAuthorizationInfo(info)
	return diags
}

func explainCreate(m accountModel, err error) string {
	ge, _ := clients.AsGraphError(err)
	if strings.Contains(ge.Message, "same value for property userPrincipalName") {
		return fmt.Sprintf("A user named %s already exists (possibly soft-deleted: purge it from Deleted users, or "+
			"import it with `terraform import <address> %s`).", m.UserPrincipalName.ValueString(), m.UserPrincipalName.ValueString())
	}
	return clients.Explain("creating user "+m.UserPrincipalName.ValueString(), permUserWrite, err)
}

// explainUpdate explains a refused update. Entra guards the password, accountEnabled and the CBA binding
// (certificateUserIds) of a user who holds a privileged directory role, as an emergency account does: only a
// caller that itself holds Privileged Authentication Administrator (or Global Administrator) as a directory role
// may change them, whatever its Graph permissions (Graph "Update user"). A 403 on such a change names the role;
// any other 403, the permission.
func explainUpdate(m accountModel, body models.Userable, err error) string {
	operation := "updating user " + m.UserPrincipalName.ValueString()
	if msg, ok := explainRestrictedUnit(operation, err); ok {
		return msg
	}
	var guarded []string
	if body.GetPasswordProfile() != nil {
		guarded = append(guarded, "the password")
	}
	if body.GetAccountEnabled() != nil {
		guarded = append(guarded, "account_enabled")
	}
	if body.GetAuthorizationInfo() != nil {
		guarded = append(guarded, "certificate_user_ids")
	}
	if !clients.IsForbidden(err) || len(guarded) == 0 {
		return clients.Explain(operation, permUserWrite, err)
	}
	ge, _ := clients.AsGraphError(err)
	return fmt.Sprintf("%s: Microsoft Graph refused to change %s. For a user who holds a privileged directory role, as an "+
		"emergency account holds Global Administrator, Entra lets only a caller that itself holds the Privileged Authentication "+
		"Administrator (or Global Administrator) directory role change the password, account_enabled and certificate_user_ids: "+
		"a Graph application permission is not enough. Assign Privileged Authentication Administrator to the provider's identity "+
		"(Entra admin center > Roles & admins > Privileged Authentication Administrator > Add assignments, active and permanent; "+
		"or protect the role with PIM), then run Terraform again. The identity also needs %s. Graph said: %s %s",
		operation, strings.Join(guarded, ", "), permUserWrite.Name, ge.Code, ge.Message)
}

// explainRestrictedUnit explains Entra's refusal to change a member of a restricted management administrative unit
// (breakglass_restricted_management_unit): only an identity holding a role assigned at the unit's scope may change
// its members, whatever its Graph permissions or tenant-wide roles, Global Administrator included (Entra
// "Restricted management administrative units"). ok is false for any other error.
func explainRestrictedUnit(operation string, err error) (string, bool) {
	ge, ok := clients.AsGraphError(err)
	if !ok || !clients.IsForbidden(err) || !strings.Contains(ge.Message, "restricted management administrative unit") {
		return "", false
	}
	return fmt.Sprintf("%s: the user is a member of a restricted management administrative unit, so Entra lets only an "+
		"identity holding a role assigned at that unit's scope change it; Graph application permissions and tenant-wide roles "+
		"(Global Administrator included) do not count. Give the provider's identity a role scoped to the unit: set "+
		"manager_principal_id of the breakglass_restricted_management_unit to the provider's service principal (its object id), "+
		"which assigns Privileged Authentication Administrator at the unit's scope, or assign that role at the unit's scope "+
		"yourself (Entra admin center > Administrative units > the unit > Roles and administrators), then run Terraform again. "+
		"Graph said: %s %s", operation, ge.Code, ge.Message), true
}

// domainList is the tenant's domains, read once per provider instance (instanceState.domains): they change rarely
// and every account in a plan needs them.
type domainList []models.Domainable

func tenantDomains(ctx context.Context, c *clients.Client) (domainList, error) {
	return stateOf(c).domains.Get(ctx, func(ctx context.Context) ([]models.Domainable, error) {
		resp, err := clients.Graph(c).Domains().Get(ctx, nil)
		if err != nil {
			return nil, err
		}
		return resp.GetValue(), nil
	})
}

func (d domainList) initial() string {
	for _, dom := range d {
		if dom.GetIsInitial() != nil && *dom.GetIsInitial() {
			return helpers.Deref(dom.GetId())
		}
	}
	return ""
}

func (d domainList) verified(name string) bool {
	return slices.ContainsFunc(d.verifiedNames(), func(v string) bool { return strings.EqualFold(v, name) })
}

func (d domainList) verifiedNames() []string {
	var names []string
	for _, dom := range d {
		if dom.GetIsVerified() != nil && *dom.GetIsVerified() {
			names = append(names, helpers.Deref(dom.GetId()))
		}
	}
	return names
}

// neutralNickname makes an alias that says nothing about the account's purpose, as Microsoft advises.
func neutralNickname() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 8)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", err
		}
		b[i] = alphabet[n.Int64()]
	}
	return "acct-" + string(b), nil
}
