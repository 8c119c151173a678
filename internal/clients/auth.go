package clients

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Config is the provider configuration after environment variables have been applied.
type Config struct {
	TenantID                  string
	ClientID                  string
	ClientSecret              string
	ClientCertificate         []byte // PKCS#12 or PEM, with the private key
	ClientCertificatePassword string
	UseOIDC                   bool
	OIDCToken                 string
	OIDCTokenFilePath         string
	OIDCRequestURL            string
	OIDCRequestToken          string
	UseMSI                    bool
	UseCLI                    bool
	Environment               string
	MetadataHost              string
	SubscriptionID            string
	Version                   string // the provider version, reported in User-Agent
}

// AuthMethod names how the provider signs in; it appears in logs and errors, never with a secret.
type AuthMethod string

const (
	AuthOIDC        AuthMethod = "OIDC (workload identity federation)"
	AuthCertificate AuthMethod = "client certificate"
	AuthSecret      AuthMethod = "client secret"
	AuthMSI         AuthMethod = "managed identity"
	AuthCLI         AuthMethod = "Azure CLI"
)

// gitHubTokenExchangeAudience is the audience Entra expects on federated assertions.
const gitHubTokenExchangeAudience = "api://AzureADTokenExchange"

// errNoAuthMethod explains what to set; it is returned only when a resource actually needs a token, so that
// ephemeral resources and validation work without credentials.
var errNoAuthMethod = errors.New("no authentication method is configured: set client_id and tenant_id with one of " +
	"client_secret, client_certificate(_path), or use_oidc with oidc_token / oidc_token_file_path / oidc_request_url; " +
	"or set use_msi = true; or leave use_cli enabled and sign in with `az login` (the ARM_* environment variables work too)")

// newCredential picks the first configured method in azuread's order: OIDC, certificate, secret, managed
// identity, Azure CLI.
func newCredential(cfg Config, ep Endpoints, httpClient *http.Client) (azcore.TokenCredential, AuthMethod, error) {
	opts := azcore.ClientOptions{Cloud: ep.cloudConfiguration(), Transport: httpClient}
	needIDs := func(m AuthMethod) error {
		if cfg.TenantID == "" || cfg.ClientID == "" {
			return fmt.Errorf("%s authentication needs both tenant_id and client_id (or ARM_TENANT_ID and ARM_CLIENT_ID)", m)
		}
		return nil
	}
	switch {
	case cfg.UseOIDC:
		if err := needIDs(AuthOIDC); err != nil {
			return nil, AuthOIDC, err
		}
		if cfg.OIDCTokenFilePath != "" && cfg.OIDCToken == "" {
			cred, err := azidentity.NewWorkloadIdentityCredential(&azidentity.WorkloadIdentityCredentialOptions{
				ClientOptions: opts, TenantID: cfg.TenantID, ClientID: cfg.ClientID, TokenFilePath: cfg.OIDCTokenFilePath,
				DisableInstanceDiscovery: ep.Custom,
			})
			return cred, AuthOIDC, err
		}
		assertion, err := oidcAssertion(cfg, httpClient)
		if err != nil {
			return nil, AuthOIDC, err
		}
		cred, err := azidentity.NewClientAssertionCredential(cfg.TenantID, cfg.ClientID, assertion,
			&azidentity.ClientAssertionCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: ep.Custom})
		return cred, AuthOIDC, err
	case len(cfg.ClientCertificate) > 0:
		if err := needIDs(AuthCertificate); err != nil {
			return nil, AuthCertificate, err
		}
		var pw []byte
		if cfg.ClientCertificatePassword != "" {
			pw = []byte(cfg.ClientCertificatePassword)
		}
		certs, key, err := azidentity.ParseCertificates(cfg.ClientCertificate, pw)
		if err != nil {
			return nil, AuthCertificate, fmt.Errorf("parsing the client certificate: %w", err)
		}
		cred, err := azidentity.NewClientCertificateCredential(cfg.TenantID, cfg.ClientID, certs, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: ep.Custom})
		return cred, AuthCertificate, err
	case cfg.ClientSecret != "":
		if err := needIDs(AuthSecret); err != nil {
			return nil, AuthSecret, err
		}
		cred, err := azidentity.NewClientSecretCredential(cfg.TenantID, cfg.ClientID, cfg.ClientSecret,
			&azidentity.ClientSecretCredentialOptions{ClientOptions: opts, DisableInstanceDiscovery: ep.Custom})
		return cred, AuthSecret, err
	case cfg.UseMSI:
		o := &azidentity.ManagedIdentityCredentialOptions{ClientOptions: opts}
		if cfg.ClientID != "" {
			o.ID = azidentity.ClientID(cfg.ClientID)
		}
		cred, err := azidentity.NewManagedIdentityCredential(o)
		return cred, AuthMSI, err
	case cfg.UseCLI:
		cred, err := azidentity.NewAzureCLICredential(&azidentity.AzureCLICredentialOptions{TenantID: cfg.TenantID, Subscription: cfg.SubscriptionID})
		return cred, AuthCLI, err
	}
	return nil, "", errNoAuthMethod
}

// oidcAssertion returns the function that yields the federated token: a fixed token, or one fetched from the
// GitHub Actions ID-token endpoint on every call (tokens there live minutes). azidentity has no credential for
// the GitHub endpoint (only for Azure Pipelines), hence this small client.
func oidcAssertion(cfg Config, httpClient *http.Client) (func(context.Context) (string, error), error) {
	switch {
	case cfg.OIDCToken != "":
		token := cfg.OIDCToken
		return func(context.Context) (string, error) { return token, nil }, nil
	case cfg.OIDCRequestURL != "" && cfg.OIDCRequestToken != "":
		return func(ctx context.Context) (string, error) {
			return fetchGitHubIDToken(ctx, httpClient, cfg.OIDCRequestURL, cfg.OIDCRequestToken)
		}, nil
	}
	return nil, errors.New("use_oidc needs oidc_token, oidc_token_file_path, or oidc_request_url with oidc_request_token " +
		"(in GitHub Actions, grant the job `id-token: write` so ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN are set)")
}

func fetchGitHubIDToken(ctx context.Context, httpClient *http.Client, requestURL, bearer string) (string, error) {
	u, err := url.Parse(requestURL)
	if err != nil {
		return "", fmt.Errorf("oidc_request_url: %w", err)
	}
	q := u.Query()
	q.Set("audience", gitHubTokenExchangeAudience)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Accept", "application/json")
	resp, err := httpClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("requesting an OIDC token from %s: %w", u.Host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("requesting an OIDC token from %s: HTTP %d", u.Host, resp.StatusCode)
	}
	var out struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &out); err != nil || strings.TrimSpace(out.Value) == "" {
		return "", fmt.Errorf("the OIDC token endpoint %s answered without a token", u.Host)
	}
	return out.Value, nil
}

// lazyCredential defers "no credential configured" to the first token request, so the provider configures
// (and ephemeral resources or plans without Graph reads work) before credentials are known.
type lazyCredential struct{ err error }

func (l lazyCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{}, l.err
}
