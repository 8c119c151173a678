package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/account"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/administrativeunits"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/alert"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/applications"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/authmethods"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/conditionalaccess"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/posture"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/rolemanagement"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/validate"
)

// Address is the provider's Registry address; Terraform and the test harness both use it.
const Address = "registry.terraform.io/entra-breakglass/breakglass"

var (
	_ provider.Provider                       = (*breakglassProvider)(nil)
	_ provider.ProviderWithEphemeralResources = (*breakglassProvider)(nil)
)

// New returns a constructor for the provider, as providerserver expects; version is reported in User-Agent.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &breakglassProvider{version: version}
	}
}

type breakglassProvider struct {
	version string
}

func (p *breakglassProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "breakglass"
	resp.Version = p.version
}

func (p *breakglassProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	envNote := func(desc, env string) string {
		return fmt.Sprintf("%s Can also be set with the `%s` environment variable.", desc, env)
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages Microsoft Entra ID emergency access (\"break glass\") accounts: the accounts themselves, " +
			"their permanent Global Administrator assignment through PIM, their Conditional Access exclusions and the alerts " +
			"that watch them. Configuration and `ARM_*` environment variables mirror the azuread and azurerm providers, so " +
			"existing CI credentials work unchanged.",
		Attributes: map[string]schema.Attribute{
			"tenant_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: envNote("The Microsoft Entra tenant (directory) ID.", "ARM_TENANT_ID"),
				Validators:          []validator.String{validate.GUID()},
			},
			"client_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: envNote("The client (application) ID of the app registration or managed identity the provider signs in as.", "ARM_CLIENT_ID"),
				Validators:          []validator.String{validate.GUID()},
			},
			"client_secret": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: envNote("A client secret of the app registration.", "ARM_CLIENT_SECRET"),
			},
			"client_certificate": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: envNote("A base64-encoded PKCS#12 (.pfx) or PEM bundle holding the client certificate and its private key.", "ARM_CLIENT_CERTIFICATE"),
				Validators:          []validator.String{stringvalidator.ConflictsWith(path.MatchRoot("client_certificate_path"))},
			},
			"client_certificate_path": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: envNote("Path to a PKCS#12 (.pfx) or PEM file holding the client certificate and its private key.", "ARM_CLIENT_CERTIFICATE_PATH"),
			},
			"client_certificate_password": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: envNote("The password protecting the client certificate, if any.", "ARM_CLIENT_CERTIFICATE_PASSWORD"),
			},
			"use_oidc": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: envNote("Authenticate with workload identity federation (an OIDC token from GitHub Actions, Azure DevOps or another issuer).", "ARM_USE_OIDC"),
			},
			"oidc_token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: envNote("An OIDC ID token to exchange for an access token.", "ARM_OIDC_TOKEN"),
			},
			"oidc_token_file_path": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: envNote("Path to a file holding an OIDC ID token (re-read on every token request, as Kubernetes rotates it).", "ARM_OIDC_TOKEN_FILE_PATH"),
			},
			"oidc_request_url": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: envNote("The URL from which to request an OIDC token (GitHub Actions).", "ARM_OIDC_REQUEST_URL` or `ACTIONS_ID_TOKEN_REQUEST_URL"),
			},
			"oidc_request_token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: envNote("The bearer token for `oidc_request_url`.", "ARM_OIDC_REQUEST_TOKEN` or `ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
			},
			"use_msi": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: envNote("Authenticate with a managed identity.", "ARM_USE_MSI"),
			},
			"use_cli": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: envNote("Authenticate with the Azure CLI's signed-in account when no other method is configured. Defaults to `true`.", "ARM_USE_CLI"),
			},
			"environment": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: envNote("The cloud: `public` (default), `usgovernment` or `china`. Ignored when `metadata_host` is set.", "ARM_ENVIRONMENT"),
				Validators:          []validator.String{stringvalidator.OneOf(clients.EnvironmentNames()...)},
			},
			"metadata_host": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: envNote("The host (and optional port) of an Azure Resource Manager metadata endpoint, such as a private "+
					"cloud's or the simulated tenant's, from which every endpoint is discovered. A host name only: no scheme, no path.", "ARM_METADATA_HOSTNAME"),
				Validators: []validator.String{metadataHostValidator()},
			},
			"subscription_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: envNote("The Azure subscription used for alert resources.", "ARM_SUBSCRIPTION_ID"),
				Validators:          []validator.String{validate.GUID()},
			},
		},
	}
}

func (p *breakglassProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var model providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &model)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg, diags := model.resolve(lookupEnv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg.Version = p.version
	client, err := clients.New(ctx, cfg)
	if err != nil {
		resp.Diagnostics.AddError("Unable to configure the breakglass provider", err.Error())
		return
	}
	resp.ResourceData = client
	resp.EphemeralResourceData = client
	resp.DataSourceData = client
}

func (p *breakglassProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		account.NewAccountResource,
		rolemanagement.NewPIMPermanentAssignmentResource,
		conditionalaccess.NewExclusionResource,
		authmethods.NewTargetsResource,
		alert.NewAlertResource,
		administrativeunits.NewRestrictedManagementUnitResource,
		account.NewTemporaryAccessPassRequestResource,
	}
}

func (p *breakglassProvider) EphemeralResources(_ context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		account.NewPasswordEphemeralResource,
		account.NewTemporaryAccessPassEphemeralResource,
	}
}

func (p *breakglassProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		posture.NewPostureDataSource,
		rolemanagement.NewRoleAssignmentsDataSource,
		applications.NewPrivilegedApplicationsDataSource,
	}
}
