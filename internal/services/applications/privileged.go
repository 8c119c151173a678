package applications

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	abstractions "github.com/microsoft/kiota-abstractions-go"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	graphapps "github.com/microsoftgraph/msgraph-sdk-go/applications"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	graphrm "github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"
	graphsp "github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/rolemanagement"
)

// How breakglass_privileged_applications reads a tenant. Nothing is read per service principal, and 1-2 run at the
// same time as 3:
//
//  1. servicePrincipals?$filter=appId eq '00000003-0000-0000-c000-000000000000': the Microsoft Graph service
//     principal, whose appRoles turn the appRoleId of each grant into a permission name (ids are never hard-coded).
//  2. servicePrincipals/{graph}/appRoleAssignedTo?$top=999: every grant of a Graph application permission, pages
//     of 999, for every client at once.
//  3. roleManagement/directory/roleDefinitions (shared with breakglass_role_assignments) and
//     roleManagement/directory/roleAssignments?$expand=principal&$top=999: directory roles held by service
//     principals (the expanded principal's type says which principals those are).
//  4. For the service principals at or below max_tier: servicePrincipals?$filter=id in (15 ids)&$expand=owners,
//     20 such requests per $batch, i.e. 300 service principals per round trip, with their credentials, publisher and
//     owners.
//  5. For those published by this tenant (only they have an application object here):
//     applications?$filter=appId in (15 app ids)&$expand=owners, again 20 per $batch. Filtering by app id costs one
//     round trip per 300 privileged applications whatever the tenant's size. The owners are needed, so the
//     alternative is listing every application with $expand=owners, at most 100 per page (Graph's page limit for
//     expanded lists): one round trip per 100 applications, privileged or not, so never fewer requests.
//
// $expand returns at most 20 owners per object, enough for owners of an application.

// MicrosoftGraphAppID is the appId of the Microsoft Graph resource application, the same in every tenant.
const MicrosoftGraphAppID = "00000003-0000-0000-c000-000000000000"

// firstPartyTenants publish Microsoft's own applications: the Microsoft Services tenant and Microsoft's corporate
// tenant.
var firstPartyTenants = map[string]bool{
	"f8cdef31-a31e-4b4a-93e4-5f571e91255a": true,
	"72f988bf-86f1-41af-91ab-2d7cd011db47": true,
}

// Credential sources.
const (
	SourceApplication      = "application"
	SourceServicePrincipal = "service_principal"
)

// Application is one entry of breakglass_privileged_applications.
type Application struct {
	ServicePrincipalID string
	AppID              string
	DisplayName        string
	Publisher          string
	OwnerTenantID      string
	FirstParty         bool
	Tier               int
	Permissions        []Permission
	DirectoryRoles     []string
	Credentials        []Credential
	Owners             []Owner
}

// Permission is a tiered Microsoft Graph application permission an application holds.
type Permission struct {
	Name string
	Tier int
}

// Credential is a client secret ("password") or certificate of the application object or the service principal.
type Credential struct {
	Type        string // password or certificate
	KeyID       string
	DisplayName string
	End         *time.Time
	Expired     bool
	Source      string // SourceApplication or SourceServicePrincipal
}

// Owner is an owner of the application object or the service principal.
type Owner struct {
	ID, DisplayName, UserPrincipalName string
}

// Options are the data source's filters.
type Options struct {
	MaxTier                   int
	IncludeFirstParty         bool
	WithActiveCredentialsOnly bool
	Now                       time.Time // when credentials count as expired; zero means time.Now()
}

// Stats says how much a read looked at and what it cost.
type Stats struct {
	GraphGrants       int // appRoleAssignments to Microsoft Graph
	RoleAssignments   int // directory role assignments
	ServicePrincipals int // service principals read in detail
	Applications      int // application objects read
	Requests          int // Graph requests, a $batch counting as one (the role definitions count even when cached)
}

// stepError names the Graph call that failed and the permission it needs, for clients.Explain.
type stepError struct {
	step string
	perm clients.Permission
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// Explain is the user-facing message for an error of ListPrivilegedApplications.
func Explain(err error) string {
	if se := (*stepError)(nil); errors.As(err, &se) {
		return clients.Explain(se.step, se.perm, se.err)
	}
	return clients.Explain("reading privileged applications", permApplicationRead, err)
}

func fail(step string, perm clients.Permission, err error) error {
	return &stepError{step: step, perm: perm, err: err}
}

// candidate is what the grants and role assignments say about one service principal.
type candidate struct {
	permissions map[string]int // name -> tier
	roles       map[string]int // role name -> tier
	sp          models.ServicePrincipalable
	app         models.Applicationable
}

func (c *candidate) tier() int {
	tier := Tier1 + 1
	for _, t := range c.permissions {
		tier = min(tier, t)
	}
	for _, t := range c.roles {
		tier = min(tier, t)
	}
	return tier
}

// ListPrivilegedApplications reads the service principals that hold tiered Microsoft Graph application permissions
// or privileged directory roles, filtered by opts. Permissions: Application.Read.All and
// RoleManagement.Read.Directory.
func ListPrivilegedApplications(ctx context.Context, c *clients.Client, opts Options) ([]Application, Stats, error) {
	var stats Stats
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	candidates := map[string]*candidate{}
	get := func(id string) *candidate {
		id = strings.ToLower(id)
		if candidates[id] == nil {
			candidates[id] = &candidate{permissions: map[string]int{}, roles: map[string]int{}}
		}
		return candidates[id]
	}

	// 1-3. Who holds what: Graph permissions and directory roles, read at the same time.
	var grants *grantsRead
	var roleHolders *rolesRead
	err := clients.Parallel(ctx,
		func(ctx context.Context) (err error) { grants, err = readGrants(ctx, c); return err },
		func(ctx context.Context) (err error) { roleHolders, err = readRoleHolders(ctx, c); return err },
	)
	if grants != nil {
		stats.GraphGrants, stats.Requests = grants.count, stats.Requests+grants.requests
	}
	if roleHolders != nil {
		stats.RoleAssignments, stats.Requests = roleHolders.count, stats.Requests+roleHolders.requests
	}
	if err != nil {
		return nil, stats, err
	}
	for id, perms := range grants.bySP {
		for name, tier := range perms {
			get(id).permissions[name] = tier
		}
	}
	for id, roles := range roleHolders.bySP {
		for name, tier := range roles {
			get(id).roles[name] = tier
		}
	}

	// 4. The service principals at or below max_tier, 300 per $batch.
	var ids []string
	for id, cand := range candidates {
		if cand.tier() <= opts.MaxTier {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var requests []*abstractions.RequestInformation
	for chunk := range slices.Chunk(ids, clients.ValuesPerIn) {
		info, err := clients.Graph(c).ServicePrincipals().ToGetRequestInformation(ctx, &graphsp.ServicePrincipalsRequestBuilderGetRequestConfiguration{
			QueryParameters: &graphsp.ServicePrincipalsRequestBuilderGetQueryParameters{
				Filter: new(clients.InFilter("id", chunk)),
				Select: []string{"id", "appId", "displayName", "appOwnerOrganizationId", "verifiedPublisher", "servicePrincipalType",
					"keyCredentials", "passwordCredentials"},
				Expand: []string{"owners"},
			},
		})
		if err != nil {
			return nil, stats, err
		}
		requests = append(requests, info)
	}
	sent, err := readBatched(ctx, c, requests, models.CreateServicePrincipalCollectionResponseFromDiscriminatorValue,
		func(ctx context.Context, link string) (models.ServicePrincipalCollectionResponseable, error) {
			stats.Requests++
			return clients.Graph(c).ServicePrincipals().WithUrl(link).Get(ctx, nil)
		},
		func(sp models.ServicePrincipalable) {
			stats.ServicePrincipals++
			if cand := candidates[strings.ToLower(helpers.Deref(sp.GetId()))]; cand != nil {
				cand.sp = sp
			}
		})
	stats.Requests += sent
	if err != nil {
		return nil, stats, fail("reading service principals", permApplicationRead, err)
	}

	// 5. Their application objects, for those published by this tenant.
	byAppID := map[string]*candidate{}
	var appIDs []string
	for _, id := range ids {
		cand := candidates[id]
		if cand.sp == nil {
			continue
		}
		owner := ownerTenant(cand.sp)
		if firstPartyTenants[owner] && !opts.IncludeFirstParty {
			continue
		}
		if c.TenantID != "" && !strings.EqualFold(owner, c.TenantID) {
			continue
		}
		appID := strings.ToLower(helpers.Deref(cand.sp.GetAppId()))
		byAppID[appID] = cand
		appIDs = append(appIDs, appID)
	}
	requests = requests[:0]
	for chunk := range slices.Chunk(appIDs, clients.ValuesPerIn) {
		info, err := clients.Graph(c).Applications().ToGetRequestInformation(ctx, &graphapps.ApplicationsRequestBuilderGetRequestConfiguration{
			QueryParameters: &graphapps.ApplicationsRequestBuilderGetQueryParameters{
				Filter: new(clients.InFilter("appId", chunk)),
				Select: []string{"id", "appId", "displayName", "keyCredentials", "passwordCredentials"},
				Expand: []string{"owners"},
			},
		})
		if err != nil {
			return nil, stats, err
		}
		requests = append(requests, info)
	}
	sent, err = readBatched(ctx, c, requests, models.CreateApplicationCollectionResponseFromDiscriminatorValue,
		func(ctx context.Context, link string) (models.ApplicationCollectionResponseable, error) {
			stats.Requests++
			return clients.Graph(c).Applications().WithUrl(link).Get(ctx, nil)
		},
		func(app models.Applicationable) {
			stats.Applications++
			if cand := byAppID[strings.ToLower(helpers.Deref(app.GetAppId()))]; cand != nil {
				cand.app = app
			}
		})
	stats.Requests += sent
	if err != nil {
		return nil, stats, fail("reading application objects", permApplicationRead, err)
	}

	var out []Application
	for _, id := range ids {
		cand := candidates[id]
		if cand.sp == nil {
			continue // deleted since it was granted or assigned
		}
		app := build(id, cand, now)
		switch {
		case app.FirstParty && !opts.IncludeFirstParty:
		case opts.WithActiveCredentialsOnly && !slices.ContainsFunc(app.Credentials, func(c Credential) bool { return !c.Expired }):
		default:
			out = append(out, app)
		}
	}
	slices.SortFunc(out, func(a, b Application) int {
		return cmp.Or(cmp.Compare(a.Tier, b.Tier), cmp.Compare(strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName)),
			cmp.Compare(a.ServicePrincipalID, b.ServicePrincipalID))
	})
	return out, stats, nil
}

func build(id string, cand *candidate, now time.Time) Application {
	sp := cand.sp
	app := Application{
		ServicePrincipalID: id, AppID: helpers.Deref(sp.GetAppId()), DisplayName: helpers.Deref(sp.GetDisplayName()),
		OwnerTenantID: ownerTenant(sp), Tier: cand.tier(),
	}
	app.FirstParty = firstPartyTenants[app.OwnerTenantID]
	if vp := sp.GetVerifiedPublisher(); vp != nil {
		app.Publisher = helpers.Deref(vp.GetDisplayName())
	}
	if app.Publisher == "" {
		// publisherName is a beta property; a v1.0 answer carries it only when Graph adds it there.
		switch v := sp.GetAdditionalData()["publisherName"].(type) {
		case *string:
			app.Publisher = helpers.Deref(v)
		case string:
			app.Publisher = v
		}
	}
	for name, tier := range cand.permissions {
		app.Permissions = append(app.Permissions, Permission{Name: name, Tier: tier})
	}
	slices.SortFunc(app.Permissions, func(a, b Permission) int { return cmp.Or(cmp.Compare(a.Tier, b.Tier), cmp.Compare(a.Name, b.Name)) })
	for name := range cand.roles {
		app.DirectoryRoles = append(app.DirectoryRoles, name)
	}
	slices.Sort(app.DirectoryRoles)

	owners := map[string]Owner{}
	addOwners := func(objs []models.DirectoryObjectable) {
		for _, o := range objs {
			owner := Owner{ID: strings.ToLower(helpers.Deref(o.GetId()))}
			switch v := o.(type) {
			case models.Userable:
				owner.DisplayName, owner.UserPrincipalName = helpers.Deref(v.GetDisplayName()), helpers.Deref(v.GetUserPrincipalName())
			case models.ServicePrincipalable:
				owner.DisplayName = helpers.Deref(v.GetDisplayName())
			}
			if owner.ID != "" {
				owners[owner.ID] = owner
			}
		}
	}
	addOwners(sp.GetOwners())
	app.Credentials = credentials(sp.GetPasswordCredentials(), sp.GetKeyCredentials(), SourceServicePrincipal, now)
	if cand.app != nil {
		addOwners(cand.app.GetOwners())
		app.Credentials = append(credentials(cand.app.GetPasswordCredentials(), cand.app.GetKeyCredentials(), SourceApplication, now), app.Credentials...)
	}
	for _, o := range owners {
		app.Owners = append(app.Owners, o)
	}
	slices.SortFunc(app.Owners, func(a, b Owner) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName)), cmp.Compare(a.ID, b.ID))
	})
	return app
}

func credentials(passwords []models.PasswordCredentialable, keys []models.KeyCredentialable, source string, now time.Time) []Credential {
	var out []Credential
	add := func(kind string, keyID *uuid.UUID, name *string, end *time.Time) {
		c := Credential{Type: kind, DisplayName: helpers.Deref(name), End: end, Source: source}
		if keyID != nil {
			c.KeyID = keyID.String()
		}
		c.Expired = end != nil && !end.After(now)
		out = append(out, c)
	}
	for _, p := range passwords {
		add("password", p.GetKeyId(), p.GetDisplayName(), p.GetEndDateTime())
	}
	for _, k := range keys {
		add("certificate", k.GetKeyId(), k.GetDisplayName(), k.GetEndDateTime())
	}
	slices.SortFunc(out, func(a, b Credential) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(endOf(a), endOf(b)), cmp.Compare(a.KeyID, b.KeyID))
	})
	return out
}

func endOf(c Credential) int64 {
	if c.End == nil {
		return 0
	}
	return c.End.Unix()
}

// readBatched sends list requests in $batch and reads each answer to its end: the first page comes in the batch,
// next fetches the rest.
func readBatched[T any, P clients.CollectionPage[T]](ctx context.Context, c *clients.Client, requests []*abstractions.RequestInformation,
	factory absser.ParsableFactory, next func(context.Context, string) (P, error), each func(T)) (int, error) {
	return clients.SendBatch(ctx, c.GraphAdapter, requests, func(_ int, r clients.BatchResponse) error {
		if err := r.Err(); err != nil {
			return err
		}
		page, err := clients.ParseAs[P](r.Body, factory)
		if err != nil {
			return err
		}
		return clients.ListAll(ctx, func(context.Context) (P, error) { return page, nil }, next, each)
	})
}

// ownerTenant is the tenant that publishes a service principal's application (appOwnerOrganizationId).
func ownerTenant(sp models.ServicePrincipalable) string {
	if id := sp.GetAppOwnerOrganizationId(); id != nil {
		return id.String()
	}
	return ""
}

// grantsRead is what the Graph permission grants say: service principal id -> permission -> tier.
type grantsRead struct {
	bySP            map[string]map[string]int
	count, requests int
}

// readGrants reads the Microsoft Graph service principal's appRoles (the permission names) and every grant of one
// of them, keeping the tiered permissions of service principals.
func readGrants(ctx context.Context, c *clients.Client) (*grantsRead, error) {
	out := &grantsRead{bySP: map[string]map[string]int{}, requests: 1}
	graphFilter := "appId eq '" + MicrosoftGraphAppID + "'"
	found, err := clients.Graph(c).ServicePrincipals().Get(ctx, &graphsp.ServicePrincipalsRequestBuilderGetRequestConfiguration{
		QueryParameters: &graphsp.ServicePrincipalsRequestBuilderGetQueryParameters{Filter: &graphFilter, Select: []string{"id", "appId", "appRoles"}},
	})
	if err != nil {
		return out, fail("finding the Microsoft Graph service principal", permApplicationRead, err)
	}
	if len(found.GetValue()) == 0 {
		return out, nil // no Graph service principal, so no Graph permission was ever granted
	}
	graph := found.GetValue()[0]
	names := map[string]string{}
	for _, role := range graph.GetAppRoles() {
		if role.GetId() != nil {
			names[strings.ToLower(role.GetId().String())] = helpers.Deref(role.GetValue())
		}
	}
	top := clients.MaxPageSize
	grants := clients.Graph(c).ServicePrincipals().ByServicePrincipalId(helpers.Deref(graph.GetId())).AppRoleAssignedTo()
	err = clients.ListAll(ctx,
		func(ctx context.Context) (models.AppRoleAssignmentCollectionResponseable, error) {
			out.requests++
			return grants.Get(ctx, &graphsp.ItemAppRoleAssignedToRequestBuilderGetRequestConfiguration{
				QueryParameters: &graphsp.ItemAppRoleAssignedToRequestBuilderGetQueryParameters{
					Select: []string{"id", "appRoleId", "principalId", "principalType"}, Top: &top,
				},
			})
		},
		func(ctx context.Context, link string) (models.AppRoleAssignmentCollectionResponseable, error) {
			out.requests++
			return grants.WithUrl(link).Get(ctx, nil)
		},
		func(a models.AppRoleAssignmentable) {
			out.count++
			if !strings.EqualFold(helpers.Deref(a.GetPrincipalType()), "ServicePrincipal") || a.GetAppRoleId() == nil || a.GetPrincipalId() == nil {
				return
			}
			name := names[strings.ToLower(a.GetAppRoleId().String())]
			if tier, ok := permissionTier(name); ok {
				id := strings.ToLower(a.GetPrincipalId().String())
				if out.bySP[id] == nil {
					out.bySP[id] = map[string]int{}
				}
				out.bySP[id][name] = tier
			}
		})
	if err != nil {
		return out, fail("listing the grants of Microsoft Graph application permissions (appRoleAssignedTo)", permApplicationRead, err)
	}
	return out, nil
}

// rolesRead is what the directory role assignments say: service principal id -> role name -> tier.
type rolesRead struct {
	bySP            map[string]map[string]int
	count, requests int
}

// readRoleHolders reads the role definitions and every directory role assignment, keeping the privileged roles of
// service principals.
func readRoleHolders(ctx context.Context, c *clients.Client) (*rolesRead, error) {
	out := &rolesRead{bySP: map[string]map[string]int{}, requests: 1} // role definitions, at most one request per provider run
	roles, err := rolemanagement.Roles(ctx, c)
	if err != nil {
		return out, fail("listing role definitions", rolemanagement.PermRoleRead, err)
	}
	top := clients.MaxPageSize
	assignments := clients.Graph(c).RoleManagement().Directory().RoleAssignments()
	err = clients.ListAll(ctx,
		func(ctx context.Context) (models.UnifiedRoleAssignmentCollectionResponseable, error) {
			out.requests++
			return assignments.Get(ctx, &graphrm.DirectoryRoleAssignmentsRequestBuilderGetRequestConfiguration{
				QueryParameters: &graphrm.DirectoryRoleAssignmentsRequestBuilderGetQueryParameters{
					Select: []string{"id", "principalId", "roleDefinitionId", "directoryScopeId"}, Expand: []string{"principal"}, Top: &top,
				},
			})
		},
		func(ctx context.Context, link string) (models.UnifiedRoleAssignmentCollectionResponseable, error) {
			out.requests++
			return assignments.WithUrl(link).Get(ctx, nil)
		},
		func(a models.UnifiedRoleAssignmentable) {
			out.count++
			sp, ok := a.GetPrincipal().(models.ServicePrincipalable)
			if !ok {
				return
			}
			role, ok := roles.ByID(helpers.Deref(a.GetRoleDefinitionId()))
			if !ok || !role.IsPrivileged {
				return
			}
			name := role.Name
			if scope := helpers.Deref(a.GetDirectoryScopeId()); scope != "" && scope != "/" {
				name += " (" + scope + ")"
			}
			id := strings.ToLower(cmp.Or(helpers.Deref(a.GetPrincipalId()), helpers.Deref(sp.GetId())))
			if out.bySP[id] == nil {
				out.bySP[id] = map[string]int{}
			}
			out.bySP[id][name] = roleTier(role.ID)
		})
	if err != nil {
		return out, fail("listing directory role assignments", rolemanagement.PermRoleRead, err)
	}
	return out, nil
}
