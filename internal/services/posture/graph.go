package posture

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/domains"
	graphgroups "github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/identity"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	graphrm "github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/account"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/conditionalaccess"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/rolemanagement"
)

// Licences named in the unknown details: Graph refuses these reads with 403 when the tenant lacks them.
const (
	licenceP1  = "the tenant needs Microsoft Entra ID P1 or P2 for it"
	licencePIM = "PIM for Microsoft Entra roles is part of Microsoft Entra ID P2 / ID Governance"
)

// gap turns a Graph error into the reason a check is unknown when it is a refusal (403: a missing permission or
// licence); any other error is returned, as the read cannot go on.
func gap(operation string, perm clients.Permission, licence string, err error) (string, error) {
	ge, ok := clients.AsGraphError(err)
	if !ok || !clients.IsForbidden(err) {
		return "", fmt.Errorf("%s", clients.Explain(operation, perm, err))
	}
	return refusal(operation, perm, licence, ge), nil
}

// refusal words a 403: the permission to grant (and the licence, when one is needed), then what Graph said.
func refusal(operation string, perm clients.Permission, licence string, ge clients.GraphError) string {
	also := ""
	if perm.Alternative != "" {
		also = " (or " + perm.Alternative + ")"
	}
	if licence != "" {
		licence = "; " + licence
	}
	return fmt.Sprintf("%s was refused: grant the provider's identity the Microsoft Graph application permission %s%s%s "+
		"(Graph answered %d %s: %s)", operation, perm.Name, also, licence, ge.Status, ge.Code, strings.TrimSuffix(ge.Message, "."))
}

// userSelect is what the checks read of the accounts. signInActivity is last: it is dropped when refused.
var userSelect = []string{"id", "displayName", "userPrincipalName", "mailNickname", "accountEnabled", "onPremisesSyncEnabled",
	"assignedLicenses", "authorizationInfo", "signInActivity"}

// readUsers reads the accounts with `$filter=id in (...)`: one request for up to 15 accounts. signInActivity needs
// AuditLog.Read.All (and Entra ID P1); when Graph refuses it, the users are read again without it and only the
// sign-in check becomes unknown.
func readUsers(ctx context.Context, c *clients.Client, ids []string, f *facts) error {
	byID := map[string]models.Userable{}
	selectFields := userSelect
	for chunk := range slices.Chunk(ids, clients.ValuesPerIn) {
		filter := clients.InFilter("id", chunk)
		for {
			err := clients.ListAll(ctx,
				func(ctx context.Context) (models.UserCollectionResponseable, error) {
					return clients.Graph(c).Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
						QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Filter: &filter, Select: selectFields},
					})
				},
				func(ctx context.Context, link string) (models.UserCollectionResponseable, error) {
					return clients.Graph(c).Users().WithUrl(link).Get(ctx, nil)
				},
				func(u models.Userable) { byID[strings.ToLower(helpers.Deref(u.GetId()))] = u })
			if err == nil {
				break
			}
			if ge, ok := clients.AsGraphError(err); ok && (ge.Status == 400 || clients.IsForbidden(err)) && selectFields[len(selectFields)-1] == "signInActivity" {
				// 403: no AuditLog.Read.All or no P1 licence; 400: a query Graph serves only without signInActivity.
				// Either way the accounts are read again without it and only recent_test_sign_in is unknown.
				f.SignInGap = refusal("reading the accounts' signInActivity", permSignInRead, licenceP1, ge)
				selectFields = selectFields[:len(selectFields)-1]
				continue
			}
			var gerr error
			f.UsersGap, gerr = gap("reading the accounts", account.PermUserRead, "", err)
			for _, id := range ids {
				f.Accounts = append(f.Accounts, userFacts{ID: id}) // known by id only
			}
			return gerr
		}
	}
	for _, id := range ids {
		u, ok := byID[strings.ToLower(id)]
		if !ok {
			f.Accounts = append(f.Accounts, userFacts{ID: id})
			continue
		}
		a := userFacts{
			ID: id, Found: true, DisplayName: helpers.Deref(u.GetDisplayName()), UserPrincipalName: helpers.Deref(u.GetUserPrincipalName()),
			MailNickname: helpers.Deref(u.GetMailNickname()), Enabled: u.GetAccountEnabled() != nil && *u.GetAccountEnabled(),
			Synced: u.GetOnPremisesSyncEnabled() != nil && *u.GetOnPremisesSyncEnabled(), Licenses: len(u.GetAssignedLicenses()),
		}
		if info := u.GetAuthorizationInfo(); info != nil {
			a.CertificateUserIDs = len(info.GetCertificateUserIds())
		}
		if s := u.GetSignInActivity(); s != nil {
			a.LastSuccessfulSignIn, a.LastSignIn = realTime(s.GetLastSuccessfulSignInDateTime()), realTime(s.GetLastSignInDateTime())
		}
		f.Accounts = append(f.Accounts, a)
	}
	return nil
}

// realTime drops Graph's "never" values (null and 0001-01-01).
func realTime(t *time.Time) *time.Time {
	if t == nil || t.Year() <= 1 {
		return nil
	}
	return t
}

func readInitialDomain(ctx context.Context, c *clients.Client, f *facts) error {
	resp, err := clients.Graph(c).Domains().Get(ctx, &domains.DomainsRequestBuilderGetRequestConfiguration{
		QueryParameters: &domains.DomainsRequestBuilderGetQueryParameters{Select: []string{"id", "isInitial"}},
	})
	if err != nil {
		f.DomainsGap, err = gap("reading the tenant's domains", account.PermDomainRead, "", err)
		return err
	}
	for _, d := range resp.GetValue() {
		if d.GetIsInitial() != nil && *d.GetIsInitial() {
			f.InitialDomain = helpers.Deref(d.GetId())
		}
	}
	return nil
}

// readGlobalAdmins reads the active Global Administrator assignments from PIM's schedule instances, which show
// how each is held (directly or through a group) and until when, whether made through PIM or not. A tenant
// without PIM licensing refuses them; then the directory's roleAssignments (always permanent there) stand in.
func readGlobalAdmins(ctx context.Context, c *clients.Client, f *facts) error {
	filter := fmt.Sprintf("roleDefinitionId eq '%s'", rolemanagement.GlobalAdministratorRoleID)
	instances := clients.Graph(c).RoleManagement().Directory().RoleAssignmentScheduleInstances()
	err := clients.ListAll(ctx,
		func(ctx context.Context) (models.UnifiedRoleAssignmentScheduleInstanceCollectionResponseable, error) {
			return instances.Get(ctx, &graphrm.DirectoryRoleAssignmentScheduleInstancesRequestBuilderGetRequestConfiguration{
				QueryParameters: &graphrm.DirectoryRoleAssignmentScheduleInstancesRequestBuilderGetQueryParameters{
					Filter: &filter, Select: []string{"id", "principalId", "directoryScopeId", "memberType", "endDateTime"},
				},
			})
		},
		func(ctx context.Context, link string) (models.UnifiedRoleAssignmentScheduleInstanceCollectionResponseable, error) {
			return instances.WithUrl(link).Get(ctx, nil)
		},
		func(r models.UnifiedRoleAssignmentScheduleInstanceable) {
			f.GlobalAdmins = append(f.GlobalAdmins, roleInstance{
				PrincipalID: helpers.Deref(r.GetPrincipalId()), Scope: helpers.Deref(r.GetDirectoryScopeId()),
				MemberType: helpers.Deref(r.GetMemberType()), End: realTime(r.GetEndDateTime()),
			})
		})
	if err == nil {
		return nil
	}
	ge, ok := clients.AsGraphError(err)
	if !ok || ge.Status != 400 && ge.Status != 403 {
		return fmt.Errorf("%s", clients.Explain("reading the Global Administrator assignments", permRoleScheduleRead, err))
	}
	pimRefusal := refusal("reading PIM's role assignment schedule instances", permRoleScheduleRead, licencePIM, ge)
	direct := clients.Graph(c).RoleManagement().Directory().RoleAssignments()
	err = clients.ListAll(ctx,
		func(ctx context.Context) (models.UnifiedRoleAssignmentCollectionResponseable, error) {
			return direct.Get(ctx, &graphrm.DirectoryRoleAssignmentsRequestBuilderGetRequestConfiguration{
				QueryParameters: &graphrm.DirectoryRoleAssignmentsRequestBuilderGetQueryParameters{Filter: &filter},
			})
		},
		func(ctx context.Context, link string) (models.UnifiedRoleAssignmentCollectionResponseable, error) {
			return direct.WithUrl(link).Get(ctx, nil)
		},
		func(r models.UnifiedRoleAssignmentable) {
			f.GlobalAdmins = append(f.GlobalAdmins, roleInstance{PrincipalID: helpers.Deref(r.GetPrincipalId()), Scope: helpers.Deref(r.GetDirectoryScopeId())})
		})
	switch {
	case err == nil:
		f.GlobalAdminNote = "read from the directory's roleAssignments, which show no end dates, because " + pimRefusal
	case clients.IsForbidden(err):
		f.GlobalAdmins = nil
		f.GlobalAdminGap = pimRefusal
	default:
		return fmt.Errorf("%s", clients.Explain("reading the Global Administrator assignments", rolemanagement.PermRoleRead, err))
	}
	return nil
}

// laggingListWait bounds how long readPolicies lists again while the list shows a policy older than a version
// this provider instance has seen.
const laggingListWait = 15 * time.Second

// readPolicies reads every Conditional Access policy. A policy older than a version this provider instance has
// seen (conditionalaccess.PolicyVersions, e.g. the exclusion's own write in the same apply) comes from a replica that
// lags: the list is read again, 1 s, 2 s, 4 s later, so that the checks do not report an exclusion the tenant
// already holds as missing.
func readPolicies(ctx context.Context, c *clients.Client, f *facts) error {
	paced := clients.PacedRead(conditionalaccess.Requests(c)) // Conditional Access: one request per second per tenant, reads included
	list := func(ctx context.Context) (policies []caPolicy, lagging bool, err error) {
		all := clients.Graph(c).Identity().ConditionalAccess().Policies()
		err = clients.ListAll(ctx,
			func(ctx context.Context) (models.ConditionalAccessPolicyCollectionResponseable, error) {
				return all.Get(ctx, &identity.ConditionalAccessPoliciesRequestBuilderGetRequestConfiguration{
					QueryParameters: &identity.ConditionalAccessPoliciesRequestBuilderGetQueryParameters{
						Select: []string{"id", "displayName", "state", "conditions", "grantControls", "createdDateTime", "modifiedDateTime"},
					},
					Options: paced,
				})
			},
			func(ctx context.Context, link string) (models.ConditionalAccessPolicyCollectionResponseable, error) {
				return all.WithUrl(link).Get(ctx, &identity.ConditionalAccessPoliciesRequestBuilderGetRequestConfiguration{Options: paced})
			},
			func(p models.ConditionalAccessPolicyable) {
				policies = append(policies, policyOf(p))
				var modified time.Time
				if m := p.GetModifiedDateTime(); m != nil {
					modified = *m
				}
				lagging = lagging || modified.Before(conditionalaccess.PolicyVersions(c).See(helpers.Deref(p.GetId()), modified))
			})
		return policies, lagging, err
	}
	policies, lagging, err := list(ctx)
	deadline := time.Now().Add(laggingListWait)
	for wait := clients.Backoff.Next(0); err == nil && lagging && time.Now().Add(wait).Before(deadline); wait = clients.Backoff.Next(wait) {
		if !clients.Sleep(ctx, wait) {
			break
		}
		policies, lagging, err = list(ctx)
	}
	f.Policies = policies
	if err != nil {
		f.Policies = nil
		f.PoliciesGap, err = gap("reading the Conditional Access policies", conditionalaccess.PermCARead, licenceP1, err)
	}
	return err
}

func policyOf(p models.ConditionalAccessPolicyable) caPolicy {
	out := caPolicy{ID: helpers.Deref(p.GetId()), DisplayName: helpers.Deref(p.GetDisplayName()), Created: p.GetCreatedDateTime()}
	if p.GetState() != nil {
		out.State = p.GetState().String()
	}
	if cond := p.GetConditions(); cond != nil {
		if u := cond.GetUsers(); u != nil {
			out.IncludeUsers, out.IncludeGroups, out.IncludeRoles = u.GetIncludeUsers(), u.GetIncludeGroups(), u.GetIncludeRoles()
			out.ExcludeUsers, out.ExcludeGroups, out.ExcludeRoles = u.GetExcludeUsers(), u.GetExcludeGroups(), u.GetExcludeRoles()
		}
		if apps := cond.GetClientApplications(); apps != nil {
			out.WorkloadIdentities = len(apps.GetIncludeServicePrincipals()) > 0 || apps.GetServicePrincipalFilter() != nil
		}
	}
	if g := p.GetGrantControls(); g != nil {
		for _, ctl := range g.GetBuiltInControls() {
			out.GrantControls = append(out.GrantControls, ctl.String())
		}
		out.AuthenticationStrength = g.GetAuthenticationStrength() != nil
		out.CustomFactorsOrTermsOU = len(g.GetCustomAuthenticationFactors()) > 0 || len(g.GetTermsOfUse()) > 0
	}
	return out
}

// readAccountsAndMethodPolicy reads, in $batch requests of 20 (clients.SendBatch), each account's FIDO2 methods, its
// registered methods and its direct memberships (groups and administrative units), and the tenant's authentication
// methods policy: one request for up to six accounts. The FIDO2 list stays separate from the methods list because
// UserAuthMethod-Passkey.Read.All reads only it.
func readAccountsAndMethodPolicy(ctx context.Context, c *clients.Client, ids []string, f *facts) error {
	requests := make([]*abstractions.RequestInformation, 0, 3*len(ids)+1)
	add := func(ri *abstractions.RequestInformation, err error) error {
		requests = append(requests, ri)
		return err
	}
	if err := add(clients.Graph(c).Policies().AuthenticationMethodsPolicy().ToGetRequestInformation(ctx, nil)); err != nil {
		return err
	}
	for _, id := range ids {
		user := clients.Graph(c).Users().ByUserId(id)
		// No query options: the authentication methods take none.
		if err := add(user.Authentication().Fido2Methods().ToGetRequestInformation(ctx, nil)); err != nil {
			return err
		}
		if err := add(user.Authentication().Methods().ToGetRequestInformation(ctx, nil)); err != nil {
			return err
		}
		if err := add(user.MemberOf().ToGetRequestInformation(ctx, nil)); err != nil {
			return err
		}
	}
	results, err := batchGet(ctx, c, requests)
	if err != nil {
		return err
	}
	if err := readMethodPolicy(results[0], f); err != nil {
		return err
	}
	f.FIDO2, f.Methods, f.MemberOf = map[string]int{}, map[string][]authMethod{}, map[string]memberships{}
	for i, id := range ids {
		key := strings.ToLower(id)
		fido2, methods, memberOf := results[1+3*i], results[2+3*i], results[3+3*i]
		switch {
		case fido2.Status == 404:
			f.FIDO2[key] = 0
		case fido2.Status == 403:
			f.FIDO2Gap = refusal("reading the accounts' FIDO2 methods", permAuthMethodRead, "", graphError(fido2))
		case fido2.Status >= 300:
			return fmt.Errorf("reading the FIDO2 methods of %s: HTTP %d %s", id, fido2.Status, graphError(fido2).Message)
		default:
			var page struct {
				Value []json.RawMessage `json:"value"`
			}
			if err := json.Unmarshal(fido2.Body, &page); err != nil {
				return fmt.Errorf("decoding the FIDO2 methods of %s: %w", id, err)
			}
			f.FIDO2[key] = len(page.Value) // one key is enough: no need to follow nextLink
		}
		switch {
		case methods.Status == 404:
		case methods.Status == 403:
			f.MethodsGap = refusal("reading the accounts' authentication methods", permMethodsRead, "", graphError(methods))
		case methods.Status >= 300:
			return fmt.Errorf("reading the authentication methods of %s: HTTP %d %s", id, methods.Status, graphError(methods).Message)
		default:
			if f.Methods[key], err = parseMethods(methods.Body); err != nil {
				return fmt.Errorf("decoding the authentication methods of %s: %w", id, err)
			}
		}
		if err := readMemberOf(ctx, c, id, memberOf, f); err != nil {
			return err
		}
	}
	return nil
}

// authMethod is one registered authentication method, as the checks need it.
type authMethod struct {
	Type        string // the @odata.type without "#microsoft.graph.", e.g. phoneAuthenticationMethod
	PasskeyType string // FIDO2: deviceBound or synced; "" when Graph does not say
	AAGUID      string // FIDO2: the authenticator's model, which key restrictions allow or block
	// Temporary Access Pass: isUsable, and when it stops being valid (startDateTime + lifetimeInMinutes).
	Usable bool
	Ends   *time.Time
}

// parseMethods decodes /authentication/methods. JSON, not the SDK's models: msgraph-sdk-go has no passkeyType on
// fido2AuthenticationMethod (v1.0 CSDL has it).
func parseMethods(body []byte) ([]authMethod, error) {
	var page struct {
		Value []struct {
			Type              string     `json:"@odata.type"`
			PasskeyType       string     `json:"passkeyType"`
			AAGUID            string     `json:"aaGuid"`
			IsUsable          bool       `json:"isUsable"`
			StartDateTime     *time.Time `json:"startDateTime"`
			LifetimeInMinutes int        `json:"lifetimeInMinutes"`
		} `json:"value"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, err
	}
	out := make([]authMethod, 0, len(page.Value))
	for _, m := range page.Value {
		am := authMethod{Type: strings.TrimPrefix(m.Type, "#microsoft.graph."), PasskeyType: m.PasskeyType, AAGUID: m.AAGUID, Usable: m.IsUsable}
		if m.StartDateTime != nil {
			end := m.StartDateTime.Add(time.Duration(m.LifetimeInMinutes) * time.Minute)
			am.Ends = &end
		}
		out = append(out, am)
	}
	return out, nil
}

// memberships are an account's direct groups (lower-case ids) and administrative units.
type memberships struct {
	Groups []string
	Units  []adminUnit
}

// adminUnit is an administrative unit the account is in; Restricted is nil when Graph gave only the unit's id
// (the caller may not read administrative units).
type adminUnit struct {
	ID, Name   string
	Restricted *bool
}

// readMemberOf reads one account's direct memberships from its $batch answer, following nextLink.
func readMemberOf(ctx context.Context, c *clients.Client, id string, r clients.BatchResponse, f *facts) error {
	switch {
	case r.Status == 404:
		return nil
	case r.Status == 403:
		f.MemberOfGap = refusal("reading the accounts' group and administrative unit memberships", permMemberOfRead, "", graphError(r))
		return nil
	case r.Status >= 300:
		return fmt.Errorf("reading the memberships of %s: HTTP %d %s", id, r.Status, graphError(r).Message)
	}
	page, err := clients.ParseAs[models.DirectoryObjectCollectionResponseable](r.Body, models.CreateDirectoryObjectCollectionResponseFromDiscriminatorValue)
	if err != nil {
		return fmt.Errorf("decoding the memberships of %s: %w", id, err)
	}
	var m memberships
	err = clients.ListAll(ctx,
		func(context.Context) (models.DirectoryObjectCollectionResponseable, error) { return page, nil },
		func(ctx context.Context, link string) (models.DirectoryObjectCollectionResponseable, error) {
			return clients.Graph(c).Users().ByUserId(id).MemberOf().WithUrl(link).Get(ctx, nil)
		},
		func(o models.DirectoryObjectable) {
			switch o := o.(type) {
			case models.Groupable:
				m.Groups = append(m.Groups, strings.ToLower(helpers.Deref(o.GetId())))
			case models.AdministrativeUnitable:
				m.Units = append(m.Units, adminUnit{ID: helpers.Deref(o.GetId()), Name: helpers.Deref(o.GetDisplayName()), Restricted: o.GetIsMemberManagementRestricted()})
			}
		})
	if err != nil {
		return fmt.Errorf("%s", clients.Explain("reading the memberships of "+id, permMemberOfRead, err))
	}
	f.MemberOf[strings.ToLower(id)] = m
	return nil
}

// methodConfig is one method's configuration in the authentication methods policy.
type methodConfig struct {
	Found   bool
	Enabled bool
	Include []methodTarget
	Exclude []string // user or group ids
}

type methodTarget struct {
	ID                     string   `json:"id"` // a user, a group or "all_users"
	AllowedPasskeyProfiles []string `json:"allowedPasskeyProfiles"`
}

// passkeyProfile is a FIDO2 passkey profile: which passkey types, and which keys by AAGUID, a targeted user may
// use.
type passkeyProfile struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	PasskeyTypes    string           `json:"passkeyTypes"` // flags: "deviceBound", "synced" or "deviceBound,synced"
	KeyRestrictions *keyRestrictions `json:"keyRestrictions"`
}

// keyRestrictions is fido2KeyRestrictions: when enforced, only the listed AAGUIDs (allow) or all but them (block)
// may be used. Microsoft Entra "Enable passkeys (FIDO2)": a key registered before a restriction that now excludes
// it can no longer be used to sign in.
type keyRestrictions struct {
	IsEnforced      bool     `json:"isEnforced"`
	EnforcementType string   `json:"enforcementType"` // allow, block (unknownFutureValue)
	AAGUIDs         []string `json:"aaGuids"`
}

// permits reports whether a key with this AAGUID may be used. A key without an AAGUID fails an allow list (nothing
// shows it is listed); an enforcement type other than allow or block permits nothing, as the check cannot tell.
func (r *keyRestrictions) permits(aaguid string) bool {
	if r == nil || !r.IsEnforced {
		return true
	}
	listed := aaguid != "" && helpers.ContainsFold(r.AAGUIDs, aaguid)
	switch r.EnforcementType {
	case "allow":
		return listed
	case "block":
		return !listed
	}
	return false
}

// methodPolicy is what the checks need of the authentication methods policy.
type methodPolicy struct {
	FIDO2, X509           methodConfig
	PasskeyProfiles       []passkeyProfile
	DefaultPasskeyProfile string
	// FIDO2KeyRestrictions is the Fido2 configuration's own keyRestrictions, which the v1.0 CSDL deprecates for
	// passkey profiles' (returned until 2027-10-15). Which one Entra applies when both are set is not documented,
	// so a key must pass both.
	FIDO2KeyRestrictions *keyRestrictions
}

// readMethodPolicy decodes the authentication methods policy with its configurations inline. JSON, not the SDK's
// models: msgraph-sdk-go has no passkeyProfiles, defaultPasskeyProfile or allowedPasskeyProfiles (v1.0 CSDL has
// them, fido2AuthenticationMethodConfiguration and passkeyAuthenticationMethodTarget).
func readMethodPolicy(r clients.BatchResponse, f *facts) error {
	switch {
	case r.Status == 403:
		f.MethodPolicyGap = refusal("reading the authentication methods policy", permMethodPolicyRead, "", graphError(r))
		return nil
	case r.Status >= 300:
		return fmt.Errorf("reading the authentication methods policy: HTTP %d %s", r.Status, graphError(r).Message)
	}
	var policy struct {
		Configurations []struct {
			ID                    string           `json:"id"`
			State                 string           `json:"state"`
			IncludeTargets        []methodTarget   `json:"includeTargets"`
			ExcludeTargets        []methodTarget   `json:"excludeTargets"`
			PasskeyProfiles       []passkeyProfile `json:"passkeyProfiles"`
			DefaultPasskeyProfile string           `json:"defaultPasskeyProfile"`
			KeyRestrictions       *keyRestrictions `json:"keyRestrictions"`
		} `json:"authenticationMethodConfigurations"`
	}
	if err := json.Unmarshal(r.Body, &policy); err != nil {
		return fmt.Errorf("decoding the authentication methods policy: %w", err)
	}
	p := &methodPolicy{}
	for _, cfg := range policy.Configurations {
		mc := methodConfig{Found: true, Enabled: cfg.State == "enabled", Include: cfg.IncludeTargets}
		for _, t := range cfg.ExcludeTargets {
			mc.Exclude = append(mc.Exclude, t.ID)
		}
		switch strings.ToLower(cfg.ID) {
		case "fido2":
			p.FIDO2, p.PasskeyProfiles, p.DefaultPasskeyProfile = mc, cfg.PasskeyProfiles, cfg.DefaultPasskeyProfile
			p.FIDO2KeyRestrictions = cfg.KeyRestrictions
		case "x509certificate":
			p.X509 = mc
		}
	}
	f.MethodPolicy = p
	return nil
}

// readExcludedGroups reads the direct user members of the groups that relevant policies exclude, but only when
// some account is not excluded from such a policy directly: then a group may be what excludes it. Nested groups
// are not expanded (Graph's transitiveMembers would; the accounts' exclusion groups are normally flat).
func readExcludedGroups(ctx context.Context, c *clients.Client, f *facts, allowed []string) error {
	if f.PoliciesGap != "" {
		return nil
	}
	var groups []string
	seen := map[string]bool{}
	for _, p := range f.Policies {
		if p.State != policyEnabled && p.State != policyReportOnly || !p.couldBlock() || helpers.ContainsFold(allowed, p.ID) {
			continue
		}
		for _, a := range f.subjects() {
			if !a.Found || !p.mayApplyTo(a.ID) || helpers.ContainsFold(p.ExcludeUsers, a.ID) {
				continue
			}
			for _, g := range p.ExcludeGroups {
				if key := strings.ToLower(g); !seen[key] {
					seen[key] = true
					groups = append(groups, g)
				}
			}
		}
	}
	f.GroupMembers = map[string]map[string]bool{}
	if len(groups) == 0 {
		return nil
	}
	requests := make([]*abstractions.RequestInformation, len(groups))
	for i, g := range groups {
		// The cast is spelled out (microsoft.graph.user): the SDK's template abbreviates it to graph.user, which the
		// simulated tenant does not route.
		link := c.GraphAdapter.GetBaseUrl() + "/groups/" + url.PathEscape(g) + "/members/microsoft.graph.user?$select=id&$top=999"
		var err error
		if requests[i], err = groupUsers(c, g).WithUrl(link).ToGetRequestInformation(ctx, nil); err != nil {
			return err
		}
	}
	results, err := batchGet(ctx, c, requests)
	if err != nil {
		return err
	}
	for i, r := range results {
		members := map[string]bool{}
		f.GroupMembers[strings.ToLower(groups[i])] = members
		switch {
		case r.Status == 404: // a deleted group excludes nobody
			continue
		case r.Status == 403:
			f.GroupsGap = refusal("reading the members of excluded groups", permGroupMemberRead, "", graphError(r))
			continue
		case r.Status >= 300:
			return fmt.Errorf("reading the members of group %s: HTTP %d %s", groups[i], r.Status, graphError(r).Message)
		}
		page, err := clients.ParseAs[models.UserCollectionResponseable](r.Body, models.CreateUserCollectionResponseFromDiscriminatorValue)
		if err != nil {
			return fmt.Errorf("decoding the members of group %s: %w", groups[i], err)
		}
		err = clients.ListAll(ctx,
			func(context.Context) (models.UserCollectionResponseable, error) { return page, nil },
			func(ctx context.Context, link string) (models.UserCollectionResponseable, error) {
				return groupUsers(c, groups[i]).WithUrl(link).Get(ctx, nil)
			},
			func(u models.Userable) { members[strings.ToLower(helpers.Deref(u.GetId()))] = true })
		if err != nil {
			return fmt.Errorf("%s", clients.Explain("reading the members of group "+groups[i], permGroupMemberRead, err))
		}
	}
	return nil
}

// groupUsers is the request builder of a group's user members.
func groupUsers(c *clients.Client, group string) *graphgroups.ItemMembersGraphUserRequestBuilder {
	return clients.Graph(c).Groups().ByGroupId(group).Members().GraphUser()
}

// batchGet sends GETs in $batch requests (clients.SendBatch) and returns the final answers in their order.
func batchGet(ctx context.Context, c *clients.Client, requests []*abstractions.RequestInformation) ([]clients.BatchResponse, error) {
	results := make([]clients.BatchResponse, len(requests))
	if _, err := clients.SendBatch(ctx, c.GraphAdapter, requests, func(i int, r clients.BatchResponse) error {
		results[i] = r
		return nil
	}); err != nil {
		return nil, fmt.Errorf("%s", clients.Explain("sending a Graph $batch", account.PermUserRead, err))
	}
	return results, nil
}

// graphError is Graph's status, code and message for a failed $batch answer.
func graphError(r clients.BatchResponse) clients.GraphError {
	ge, _ := clients.AsGraphError(r.Err())
	return ge
}
