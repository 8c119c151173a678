package provider

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/validate"
)

// providerModel is the provider block as Terraform hands it over.
type providerModel struct {
	TenantID                  types.String `tfsdk:"tenant_id"`
	ClientID                  types.String `tfsdk:"client_id"`
	ClientSecret              types.String `tfsdk:"client_secret"`
	ClientCertificate         types.String `tfsdk:"client_certificate"`
	ClientCertificatePath     types.String `tfsdk:"client_certificate_path"`
	ClientCertificatePassword types.String `tfsdk:"client_certificate_password"`
	UseOIDC                   types.Bool   `tfsdk:"use_oidc"`
	OIDCToken                 types.String `tfsdk:"oidc_token"`
	OIDCTokenFilePath         types.String `tfsdk:"oidc_token_file_path"`
	OIDCRequestURL            types.String `tfsdk:"oidc_request_url"`
	OIDCRequestToken          types.String `tfsdk:"oidc_request_token"`
	UseMSI                    types.Bool   `tfsdk:"use_msi"`
	UseCLI                    types.Bool   `tfsdk:"use_cli"`
	Environment               types.String `tfsdk:"environment"`
	MetadataHost              types.String `tfsdk:"metadata_host"`
	SubscriptionID            types.String `tfsdk:"subscription_id"`
}

// lookupEnv is the process environment; resolve takes it as a parameter so tests can pass their own.
func lookupEnv(key string) (string, bool) { return os.LookupEnv(key) }

// resolve merges the configuration with the ARM_* environment variables (configuration wins, as in azurerm and
// azuread) and checks what a schema validator cannot see: values that came from the environment, and files.
func (m providerModel) resolve(env func(string) (string, bool)) (clients.Config, diag.Diagnostics) {
	var diags diag.Diagnostics
	str := func(v types.String, keys ...string) string {
		if !v.IsNull() && !v.IsUnknown() {
			return v.ValueString()
		}
		for _, k := range keys {
			if s, ok := env(k); ok && s != "" {
				return s
			}
		}
		return ""
	}
	boolean := func(attr string, v types.Bool, def bool, key string) bool {
		if !v.IsNull() && !v.IsUnknown() {
			return v.ValueBool()
		}
		s, ok := env(key)
		if !ok || s == "" {
			return def
		}
		b, err := strconv.ParseBool(s)
		if err != nil {
			diags.AddAttributeError(path.Root(attr), "Invalid environment variable "+key,
				fmt.Sprintf("%s=%q is not a boolean; use true or false.", key, s))
		}
		return b
	}

	cfg := clients.Config{
		TenantID:                  str(m.TenantID, "ARM_TENANT_ID"),
		ClientID:                  str(m.ClientID, "ARM_CLIENT_ID"),
		ClientSecret:              str(m.ClientSecret, "ARM_CLIENT_SECRET"),
		ClientCertificatePassword: str(m.ClientCertificatePassword, "ARM_CLIENT_CERTIFICATE_PASSWORD"),
		UseOIDC:                   boolean("use_oidc", m.UseOIDC, false, "ARM_USE_OIDC"),
		OIDCToken:                 str(m.OIDCToken, "ARM_OIDC_TOKEN"),
		OIDCTokenFilePath:         str(m.OIDCTokenFilePath, "ARM_OIDC_TOKEN_FILE_PATH"),
		OIDCRequestURL:            str(m.OIDCRequestURL, "ARM_OIDC_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_URL"),
		OIDCRequestToken:          str(m.OIDCRequestToken, "ARM_OIDC_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_TOKEN"),
		UseMSI:                    boolean("use_msi", m.UseMSI, false, "ARM_USE_MSI"),
		UseCLI:                    boolean("use_cli", m.UseCLI, true, "ARM_USE_CLI"),
		Environment:               strings.ToLower(str(m.Environment, "ARM_ENVIRONMENT")),
		MetadataHost:              str(m.MetadataHost, "ARM_METADATA_HOSTNAME", "ARM_METADATA_HOST"),
		SubscriptionID:            str(m.SubscriptionID, "ARM_SUBSCRIPTION_ID"),
	}

	if cfg.Environment == "" {
		cfg.Environment = "public"
	}
	if !slices.Contains(clients.EnvironmentNames(), cfg.Environment) {
		diags.AddAttributeError(path.Root("environment"), "Unknown environment",
			fmt.Sprintf("%q is not a known cloud; use one of %s (set by the environment attribute or ARM_ENVIRONMENT).",
				cfg.Environment, strings.Join(clients.EnvironmentNames(), ", ")))
	}
	if cfg.MetadataHost != "" {
		if err := checkMetadataHost(cfg.MetadataHost); err != nil {
			diags.AddAttributeError(path.Root("metadata_host"), "Invalid metadata_host", err.Error()+" (from metadata_host or ARM_METADATA_HOSTNAME).")
		}
	}
	for attr, v := range map[string]string{"tenant_id": cfg.TenantID, "client_id": cfg.ClientID, "subscription_id": cfg.SubscriptionID} {
		if v != "" && !validate.IsGUID(v) {
			diags.AddAttributeError(path.Root(attr), "Invalid "+attr, fmt.Sprintf("%q is not a GUID such as 00000000-0000-0000-0000-000000000000.", v))
		}
	}

	certB64 := str(m.ClientCertificate, "ARM_CLIENT_CERTIFICATE")
	certPath := str(m.ClientCertificatePath, "ARM_CLIENT_CERTIFICATE_PATH")
	switch {
	case certB64 != "":
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(certB64))
		if err != nil {
			diags.AddAttributeError(path.Root("client_certificate"), "Invalid client_certificate",
				"client_certificate must be the base64 encoding of a PKCS#12 or PEM file: "+err.Error())
			break
		}
		cfg.ClientCertificate = data
		diags.Append(checkCertificate("client_certificate", data, cfg.ClientCertificatePassword)...)
	case certPath != "":
		data, err := os.ReadFile(certPath)
		if err != nil {
			diags.AddAttributeError(path.Root("client_certificate_path"), "Cannot read client certificate",
				fmt.Sprintf("Reading %s: %s. Point client_certificate_path (or ARM_CLIENT_CERTIFICATE_PATH) at an existing .pfx or .pem file.", certPath, errors.Unwrap(err)))
			break
		}
		cfg.ClientCertificate = data
		diags.Append(checkCertificate("client_certificate_path", data, cfg.ClientCertificatePassword)...)
	}
	return cfg, diags
}

// checkCertificate fails at plan time, naming the attribute, when the certificate cannot sign client assertions.
func checkCertificate(attr string, data []byte, password string) diag.Diagnostics {
	var diags diag.Diagnostics
	var pw []byte
	if password != "" {
		pw = []byte(password)
	}
	certs, key, err := azidentity.ParseCertificates(data, pw)
	switch {
	case err != nil && strings.Contains(err.Error(), "private key"):
		diags.AddAttributeError(path.Root(attr), "Client certificate has no private key",
			"The certificate file must hold the private key too (a .pfx, or a PEM with both CERTIFICATE and PRIVATE KEY blocks).")
	case err != nil:
		diags.AddAttributeError(path.Root(attr), "Invalid client certificate",
			"Cannot parse the certificate (PKCS#12 or PEM expected; check client_certificate_password): "+err.Error())
	case key == nil:
		diags.AddAttributeError(path.Root(attr), "Client certificate has no private key",
			"The certificate file must hold the private key too (a .pfx, or a PEM with both CERTIFICATE and PRIVATE KEY blocks).")
	case len(certs) == 0:
		diags.AddAttributeError(path.Root(attr), "Invalid client certificate", "The file holds no certificate.")
	}
	return diags
}
