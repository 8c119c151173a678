package applications

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

var (
	_ datasource.DataSource              = (*privilegedApplicationsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*privilegedApplicationsDataSource)(nil)
)

// defaultTimeout bounds a read; a tenant with thousands of applications takes seconds.
const defaultTimeout = 5 * time.Minute

// NewPrivilegedApplicationsDataSource is the breakglass_privileged_applications constructor.
func NewPrivilegedApplicationsDataSource() datasource.DataSource {
	return &privilegedApplicationsDataSource{}
}

type privilegedApplicationsDataSource struct {
	client *clients.Client
}

type privilegedApplicationsModel struct {
	ID                        types.String   `tfsdk:"id"`
	MaxTier                   types.Int64    `tfsdk:"max_tier"`
	IncludeFirstParty         types.Bool     `tfsdk:"include_first_party"`
	WithActiveCredentialsOnly types.Bool     `tfsdk:"with_active_credentials_only"`
	Applications              types.List     `tfsdk:"applications"`
	Timeouts                  timeouts.Value `tfsdk:"timeouts"`
}

type applicationModel struct {
	ServicePrincipalID types.String      `tfsdk:"service_principal_id"`
	AppID              types.String      `tfsdk:"app_id"`
	DisplayName        types.String      `tfsdk:"display_name"`
	Publisher          types.String      `tfsdk:"publisher"`
	OwnerTenantID      types.String      `tfsdk:"owner_tenant_id"`
	FirstParty         types.Bool        `tfsdk:"first_party"`
	Tier               types.Int64       `tfsdk:"tier"`
	Permissions        []permissionModel `tfsdk:"permissions"`
	DirectoryRoles     []types.String    `tfsdk:"directory_roles"`
	Credentials        []credentialModel `tfsdk:"credentials"`
	Owners             []ownerModel      `tfsdk:"owners"`
}

type permissionModel struct {
	Name types.String `tfsdk:"name"`
	Tier types.Int64  `tfsdk:"tier"`
}

type credentialModel struct {
	Type        types.String `tfsdk:"type"`
	KeyID       types.String `tfsdk:"key_id"`
	DisplayName types.String `tfsdk:"display_name"`
	EndDateTime types.String `tfsdk:"end_date_time"`
	Expired     types.Bool   `tfsdk:"expired"`
	Source      types.String `tfsdk:"source"`
}

type ownerModel struct {
	ID                types.String `tfsdk:"id"`
	DisplayName       types.String `tfsdk:"display_name"`
	UserPrincipalName types.String `tfsdk:"user_principal_name"`
}

var (
	permissionAttrTypes = map[string]attr.Type{"name": types.StringType, "tier": types.Int64Type}
	credentialAttrTypes = map[string]attr.Type{
		"type": types.StringType, "key_id": types.StringType, "display_name": types.StringType,
		"end_date_time": types.StringType, "expired": types.BoolType, "source": types.StringType,
	}
	ownerAttrTypes       = map[string]attr.Type{"id": types.StringType, "display_name": types.StringType, "user_principal_name": types.StringType}
	applicationAttrTypes = map[string]attr.Type{
		"service_principal_id": types.StringType, "app_id": types.StringType, "display_name": types.StringType,
		"publisher": types.StringType, "owner_tenant_id": types.StringType, "first_party": types.BoolType, "tier": types.Int64Type,
		"permissions":     types.ListType{ElemType: types.ObjectType{AttrTypes: permissionAttrTypes}},
		"directory_roles": types.ListType{ElemType: types.StringType},
		"credentials":     types.ListType{ElemType: types.ObjectType{AttrTypes: credentialAttrTypes}},
		"owners":          types.ListType{ElemType: types.ObjectType{AttrTypes: ownerAttrTypes}},
	}
)

func (d *privilegedApplicationsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_privileged_applications"
}

func (d *privilegedApplicationsDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Service principals (applications and managed identities) that hold tenant-wide power without a " +
			"signed-in user: high-privilege Microsoft Graph application permissions or privileged directory roles, with their " +
			"credentials and owners. Whoever holds such an application's secret, certificate or ownership holds its power; " +
			"tier-0 applications can take over the tenant, emergency accounts included.\n\n" +
			"Permission names are resolved at read time from the Microsoft Graph service principal's `appRoles`, never from " +
			"hard-coded ids. Reads the Graph service principal, all its `appRoleAssignedTo` grants and all directory role " +
			"assignments in pages of 999, then the privileged service principals and their application objects 300 at a " +
			"time (`$filter=id in (...)` with 15 ids, 20 requests per `$batch`, `$expand=owners`): never a request per " +
			"application. Needs the Microsoft Graph application permissions `Application.Read.All` and " +
			"`RoleManagement.Read.Directory`.\n\n" +
			"**Tiers.** Tier 0 is the control plane: the permission or role lets the application take the tenant on its own, " +
			"by granting itself a role or permission, adding a credential to an identity that has one, or taking over an " +
			"administrator's sign-in. Tier 1 is tenant-wide reach over users, groups, data or security policies that needs a " +
			"further step to become tier 0 (role-assignable groups and administrators are protected from it). " +
			"`Policy.ReadWrite.ConditionalAccess` is tier 1: it can exclude anyone from a policy, but yields no credential or " +
			"role by itself." + tierDocs(),
		Attributes: map[string]schema.Attribute{
			"id": str("The tenant id, when the provider configuration names it."),
			"max_tier": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "Report applications whose tier is at most this: `0` for the control plane only, `1` (default) for both tiers.",
				Validators:          []validator.Int64{int64validator.Between(Tier0, Tier1)},
			},
			"include_first_party": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Include Microsoft's own applications (published by tenant `f8cdef31-a31e-4b4a-93e4-5f571e91255a` " +
					"or `72f988bf-86f1-41af-91ab-2d7cd011db47`), which hold roles and permissions by design. Defaults to `false`.",
			},
			"with_active_credentials_only": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Only applications with at least one unexpired secret or certificate on the application " +
					"object or the service principal, i.e. those someone can sign in as right now with a credential. Managed " +
					"identities have none and drop out. Defaults to `false`.",
			},
			"applications": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The privileged service principals, tier 0 first, then by display name.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"service_principal_id": str("Object id of the service principal."),
					"app_id":               str("Application (client) id."),
					"display_name":         str("The service principal's display name."),
					"publisher":            str("The verified publisher's name (`verifiedPublisher.displayName`), else `publisherName` where Graph returns it; null when unknown."),
					"owner_tenant_id":      str("The tenant that publishes the application (`appOwnerOrganizationId`); this tenant's id for its own apps."),
					"first_party": schema.BoolAttribute{Computed: true,
						MarkdownDescription: "Published by Microsoft (see `include_first_party`)."},
					"tier": schema.Int64Attribute{Computed: true,
						MarkdownDescription: "The lowest tier among its permissions and roles: `0` or `1`."},
					"permissions": schema.ListNestedAttribute{
						Computed:            true,
						MarkdownDescription: "The tiered Microsoft Graph application permissions it holds (others are not listed), tier 0 first.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"name": str("The permission, e.g. `RoleManagement.ReadWrite.Directory`."),
							"tier": schema.Int64Attribute{Computed: true, MarkdownDescription: "Its tier."},
						}},
					},
					"directory_roles": schema.ListAttribute{
						ElementType: types.StringType,
						Computed:    true,
						MarkdownDescription: "Privileged directory roles it holds actively, by name; a scope other than the tenant " +
							"follows in parentheses.",
					},
					"credentials": schema.ListNestedAttribute{
						Computed:            true,
						MarkdownDescription: "Secrets and certificates of the application object and of the service principal (values are never read).",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"type":          str("`password` (client secret) or `certificate`."),
							"key_id":        str("The credential's key id."),
							"display_name":  str("Its description."),
							"end_date_time": str("When it expires (RFC 3339)."),
							"expired":       schema.BoolAttribute{Computed: true, MarkdownDescription: "It has expired."},
							"source":        str("`application` (the app registration) or `service_principal`."),
						}},
					},
					"owners": schema.ListNestedAttribute{
						Computed: true,
						MarkdownDescription: "Owners of the application object and of the service principal: they can add credentials. " +
							"Graph expands at most 20 owners per object.",
						NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
							"id":                  str("Object id of the owner."),
							"display_name":        str("Its display name."),
							"user_principal_name": str("The UPN, for a user."),
						}},
					},
				}},
			},
			"timeouts": timeouts.Attributes(ctx),
		},
	}
}

func (d *privilegedApplicationsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clients.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *privilegedApplicationsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg privilegedApplicationsModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := cfg.Timeouts.Read(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	opts := Options{
		MaxTier:                   Tier1,
		IncludeFirstParty:         cfg.IncludeFirstParty.ValueBool(),
		WithActiveCredentialsOnly: cfg.WithActiveCredentialsOnly.ValueBool(),
	}
	if !cfg.MaxTier.IsNull() && !cfg.MaxTier.IsUnknown() {
		opts.MaxTier = int(cfg.MaxTier.ValueInt64())
	}
	apps, _, err := ListPrivilegedApplications(ctx, d.client, opts)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the privileged applications", Explain(err))
		return
	}

	state := cfg
	state.ID = optional(d.client.TenantID)
	state.MaxTier = types.Int64Value(int64(opts.MaxTier))
	state.IncludeFirstParty = types.BoolValue(opts.IncludeFirstParty)
	state.WithActiveCredentialsOnly = types.BoolValue(opts.WithActiveCredentialsOnly)
	elems := make([]applicationModel, len(apps))
	for i, a := range apps {
		elems[i] = applicationModelOf(a)
	}
	state.Applications, diags = types.ListValueFrom(ctx, types.ObjectType{AttrTypes: applicationAttrTypes}, elems)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func applicationModelOf(a Application) applicationModel {
	m := applicationModel{
		ServicePrincipalID: types.StringValue(a.ServicePrincipalID), AppID: types.StringValue(a.AppID),
		DisplayName: optional(a.DisplayName), Publisher: optional(a.Publisher), OwnerTenantID: optional(a.OwnerTenantID),
		FirstParty: types.BoolValue(a.FirstParty), Tier: types.Int64Value(int64(a.Tier)),
		Permissions: []permissionModel{}, DirectoryRoles: []types.String{}, Credentials: []credentialModel{}, Owners: []ownerModel{},
	}
	for _, p := range a.Permissions {
		m.Permissions = append(m.Permissions, permissionModel{Name: types.StringValue(p.Name), Tier: types.Int64Value(int64(p.Tier))})
	}
	for _, r := range a.DirectoryRoles {
		m.DirectoryRoles = append(m.DirectoryRoles, types.StringValue(r))
	}
	for _, c := range a.Credentials {
		end := types.StringNull()
		if c.End != nil {
			end = types.StringValue(c.End.UTC().Format(time.RFC3339))
		}
		m.Credentials = append(m.Credentials, credentialModel{
			Type: types.StringValue(c.Type), KeyID: optional(c.KeyID), DisplayName: optional(c.DisplayName),
			EndDateTime: end, Expired: types.BoolValue(c.Expired), Source: types.StringValue(c.Source),
		})
	}
	for _, o := range a.Owners {
		m.Owners = append(m.Owners, ownerModel{ID: types.StringValue(o.ID), DisplayName: optional(o.DisplayName), UserPrincipalName: optional(o.UserPrincipalName)})
	}
	return m
}

func optional(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
