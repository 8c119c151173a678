package provider_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

func TestMain(m *testing.M) { acctest.Main(m) }

// readsGraph is a configuration whose plan needs Graph (the account's plan checks the tenant's domains), so a plan
// proves the provider authenticated; nothing is created.
const readsGraph = `
resource "breakglass_account" "probe" {
  display_name        = "Probe"
  user_principal_name = "probe@contoso.onmicrosoft.com"
}`

var accountPermissions = []string{"User.ReadWrite.All", "Domain.Read.All", "User.DeleteRestore.All"}

func planWith(t *testing.T, providerBlock string) resource.TestCase {
	t.Helper()
	return resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:             providerBlock + readsGraph,
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	}
}

func TestAccProvider_clientCertificate(t *testing.T) {
	sim := acctest.Sim(t)
	certPEM, keyPEM, cert := selfSignedCertificate(t)
	clientID := uuid.NewString()
	if err := sim.RegisterApp(tenantsim.App{ClientID: clientID, DisplayName: "cert app", Certificate: cert, Roles: accountPermissions}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "client.pem")
	if err := os.WriteFile(path, append(certPEM, keyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Run("path", func(t *testing.T) {
		resource.ParallelTest(t, planWith(t, acctest.ProviderConfig(sim, clientID, "", fmt.Sprintf("client_certificate_path = %q", path))))
	})
	t.Run("base64", func(t *testing.T) {
		b64 := base64.StdEncoding.EncodeToString(append(certPEM, keyPEM...))
		resource.ParallelTest(t, planWith(t, acctest.ProviderConfig(sim, clientID, "", fmt.Sprintf("client_certificate = %q", b64))))
	})
	t.Run("wrong key is refused", func(t *testing.T) {
		otherCert, otherKey, _ := selfSignedCertificate(t)
		b64 := base64.StdEncoding.EncodeToString(append(otherCert, otherKey...))
		tc := planWith(t, acctest.ProviderConfig(sim, clientID, "", fmt.Sprintf("client_certificate = %q", b64)))
		tc.Steps[0].ExpectError = regexp.MustCompile(`AADSTS700027|invalid_client`)
		resource.ParallelTest(t, tc)
	})
}

func TestAccProvider_oidc(t *testing.T) {
	sim := acctest.Sim(t)
	const subject = "repo:entra-breakglass/demo:ref:refs/heads/main"
	clientID := uuid.NewString()
	err := sim.RegisterApp(tenantsim.App{
		ClientID: clientID, DisplayName: "federated app", Roles: accountPermissions,
		Federated: []tenantsim.FederatedCredential{{Issuer: sim.OIDCIssuer(), Subject: subject, Audience: "api://AzureADTokenExchange"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	token, err := sim.IssueOIDCToken(subject, "api://AzureADTokenExchange")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("token", func(t *testing.T) {
		resource.ParallelTest(t, planWith(t, acctest.ProviderConfig(sim, clientID, "", fmt.Sprintf("use_oidc = true\noidc_token = %q", token))))
	})
	t.Run("token file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(path, []byte(token), 0o600); err != nil {
			t.Fatal(err)
		}
		resource.ParallelTest(t, planWith(t, acctest.ProviderConfig(sim, clientID, "", fmt.Sprintf("use_oidc = true\noidc_token_file_path = %q", path))))
	})
	t.Run("github actions request url", func(t *testing.T) {
		requestURL := "https://" + sim.Info().MetadataHost + "/_sim/github/idtoken?api-version=2.0"
		resource.ParallelTest(t, planWith(t, acctest.ProviderConfig(sim, clientID, "", fmt.Sprintf(
			"use_oidc = true\noidc_request_url = %q\noidc_request_token = %q", requestURL, sim.GitHubRequestToken()))))
	})
	t.Run("untrusted subject is refused", func(t *testing.T) {
		other, err := sim.IssueOIDCToken("repo:someone/else:ref:refs/heads/main", "api://AzureADTokenExchange")
		if err != nil {
			t.Fatal(err)
		}
		tc := planWith(t, acctest.ProviderConfig(sim, clientID, "", fmt.Sprintf("use_oidc = true\noidc_token = %q", other)))
		tc.Steps[0].ExpectError = regexp.MustCompile(`AADSTS70021|invalid_grant|invalid_client`)
		resource.ParallelTest(t, tc)
	})
}

// The managed identity and Azure CLI tests change process environment variables, so they do not run in parallel.

func TestAccProvider_managedIdentity(t *testing.T) {
	sim := acctest.Sim(t)
	endpoint, header, clientID := sim.ManagedIdentity()
	t.Setenv("IDENTITY_ENDPOINT", endpoint)
	t.Setenv("IDENTITY_HEADER", header)
	resource.Test(t, planWith(t, acctest.ProviderConfig(sim, clientID, "", "use_msi = true")))
}

func TestAccProvider_azureCLI(t *testing.T) {
	sim := acctest.Sim(t)
	info := sim.Info()
	graph, graphExpiry, err := sim.MintToken(info.ClientID, "https://graph.tenantsim.test/")
	if err != nil {
		t.Fatal(err)
	}
	armToken, _, err := sim.MintToken(info.ClientID, "https://management.tenantsim.test/")
	if err != nil {
		t.Fatal(err)
	}
	// A stand-in for `az account get-access-token`, answering in the CLI's JSON shape per requested resource.
	dir := t.TempDir()
	answer := func(token string) string {
		return fmt.Sprintf(`{"accessToken":%q,"expiresOn":%q,"expires_on":%d,"subscription":%q,"tenant":%q,"tokenType":"Bearer"}`,
			token, graphExpiry.Local().Format("2006-01-02 15:04:05.000000"), graphExpiry.Unix(), info.SubscriptionID, info.TenantID)
	}
	script := fmt.Sprintf(`#!/bin/sh
case "$*" in
  *graph.tenantsim.test*) echo '%s' ;;
  *management.tenantsim.test*) echo '%s' ;;
  *) echo "unexpected az call: $*" >&2; exit 1 ;;
esac
`, answer(graph), answer(armToken))
	if err := os.WriteFile(filepath.Join(dir, "az"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	block := strings.Replace(acctest.ProviderConfig(sim, info.ClientID, "", ""), "use_cli       = false", "use_cli       = true", 1)
	resource.Test(t, planWith(t, block))
}

func TestAccProvider_missingPermissionNamesIt(t *testing.T) {
	sim := acctest.Sim(t)
	clientID, secret := uuid.NewString(), "s3cret-"+uuid.NewString()
	err := sim.RegisterApp(tenantsim.App{ClientID: clientID, DisplayName: "read-only app", Secret: secret, Roles: []string{"User.Read.All", "Domain.Read.All"}})
	if err != nil {
		t.Fatal(err)
	}
	block := acctest.ProviderConfig(sim, clientID, secret, "")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config:      block + `resource "breakglass_account" "x" { display_name = "Ops" }`,
			ExpectError: regexp.MustCompile(`(?s)lacks the Microsoft Graph application permission\s+User\.ReadWrite\.All`),
		}},
	})
}

// TestAccProvider_throttlingAndReplication applies through a 429 storm and a replication delay longer than the
// first retries; both must be absorbed without the user retrying.
func TestAccProvider_throttlingAndReplication(t *testing.T) {
	sim := acctest.Sim(t)
	defer sim.SetKnobs(sim.Knobs())
	sim.SetKnobs(tenantsim.Knobs{ThrottleRate: 0.3, RetryAfter: time.Second, ReplicationDelay: 8 * time.Second})
	name := fmt.Sprintf("acc%d", time.Now().UnixNano()%1_000_000)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "breakglass_account" "x" {
  display_name  = "Ops %[1]s"
  mail_nickname = %[1]q
}`, name),
			Check: resource.TestCheckResourceAttrSet("breakglass_account.x", "id"),
		}},
	})
}

func selfSignedCertificate(t *testing.T) (certPEM, keyPEM []byte, cert *x509.Certificate) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "breakglass-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), cert
}
