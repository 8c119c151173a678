package provider

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestResolve_configWinsOverEnvironment(t *testing.T) {
	env := envMap(map[string]string{
		"ARM_TENANT_ID":     "11111111-1111-1111-1111-111111111111",
		"ARM_CLIENT_ID":     "22222222-2222-2222-2222-222222222222",
		"ARM_CLIENT_SECRET": "from-env",
		"ARM_USE_CLI":       "false",
		"ARM_ENVIRONMENT":   "USGovernment",
	})
	cfg, diags := providerModel{ClientSecret: types.StringValue("from-config")}.resolve(env)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if cfg.ClientSecret != "from-config" {
		t.Errorf("client_secret = %q, want the configured value", cfg.ClientSecret)
	}
	if cfg.TenantID != "11111111-1111-1111-1111-111111111111" || cfg.ClientID != "22222222-2222-2222-2222-222222222222" {
		t.Errorf("ids not taken from ARM_* variables: %+v", cfg)
	}
	if cfg.UseCLI {
		t.Error("ARM_USE_CLI=false ignored")
	}
	if cfg.Environment != "usgovernment" {
		t.Errorf("environment = %q, want usgovernment (case-insensitive)", cfg.Environment)
	}
}

func TestResolve_defaults(t *testing.T) {
	cfg, diags := providerModel{}.resolve(envMap(nil))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if !cfg.UseCLI || cfg.UseMSI || cfg.UseOIDC || cfg.Environment != "public" {
		t.Errorf("defaults: %+v", cfg)
	}
}

func TestResolve_githubActionsVariables(t *testing.T) {
	cfg, _ := providerModel{UseOIDC: types.BoolValue(true)}.resolve(envMap(map[string]string{
		"ACTIONS_ID_TOKEN_REQUEST_URL":   "https://token.actions.example/x?y=1",
		"ACTIONS_ID_TOKEN_REQUEST_TOKEN": "bearer",
	}))
	if cfg.OIDCRequestURL != "https://token.actions.example/x?y=1" || cfg.OIDCRequestToken != "bearer" || !cfg.UseOIDC {
		t.Errorf("GitHub Actions variables not picked up: %+v", cfg)
	}
	cfg, _ = providerModel{}.resolve(envMap(map[string]string{
		"ARM_OIDC_REQUEST_URL": "https://arm", "ACTIONS_ID_TOKEN_REQUEST_URL": "https://actions",
	}))
	if cfg.OIDCRequestURL != "https://arm" {
		t.Errorf("ARM_OIDC_REQUEST_URL must win over ACTIONS_ID_TOKEN_REQUEST_URL, got %q", cfg.OIDCRequestURL)
	}
}

func TestResolve_badInputNamesTheAttribute(t *testing.T) {
	dir := t.TempDir()
	certOnly := filepath.Join(dir, "cert-only.pem")
	writeCert(t, certOnly, false)
	cases := []struct {
		name  string
		model providerModel
		env   map[string]string
		attr  string
		want  string
	}{
		{"unknown environment from env", providerModel{}, map[string]string{"ARM_ENVIRONMENT": "mars"}, "environment", "not a known cloud"},
		{"metadata host with scheme", providerModel{MetadataHost: types.StringValue("https://example.com")}, nil, "metadata_host", "scheme"},
		{"metadata host with path", providerModel{}, map[string]string{"ARM_METADATA_HOSTNAME": "example.com/metadata"}, "metadata_host", "path"},
		{"tenant id not a GUID", providerModel{}, map[string]string{"ARM_TENANT_ID": "contoso"}, "tenant_id", "GUID"},
		{"bad boolean", providerModel{}, map[string]string{"ARM_USE_MSI": "yes please"}, "use_msi", "boolean"},
		{"missing certificate file", providerModel{ClientCertificatePath: types.StringValue(filepath.Join(dir, "nope.pfx"))}, nil, "client_certificate_path", "existing"},
		{"certificate without key", providerModel{ClientCertificatePath: types.StringValue(certOnly)}, nil, "client_certificate_path", "private key"},
		{"certificate not base64", providerModel{ClientCertificate: types.StringValue("%%%")}, nil, "client_certificate", "base64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := tc.model.resolve(envMap(tc.env))
			if !diags.HasError() {
				t.Fatal("no error")
			}
			d := diags.Errors()[0]
			text := d.Summary() + " " + d.Detail()
			if !strings.Contains(text, tc.want) {
				t.Errorf("diagnostic %q does not mention %q", text, tc.want)
			}
			withPath, ok := d.(diag.DiagnosticWithPath)
			if !ok || withPath.Path().String() != tc.attr {
				t.Errorf("diagnostic %q is not on attribute %s", text, tc.attr)
			}
		})
	}
}

func TestResolve_certificateWithKeyIsAccepted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "client.pem")
	writeCert(t, path, true)
	cfg, diags := providerModel{ClientCertificatePath: types.StringValue(path)}.resolve(envMap(nil))
	if diags.HasError() {
		t.Fatal(diags)
	}
	if len(cfg.ClientCertificate) == 0 {
		t.Fatal("certificate not loaded")
	}
	b64 := base64.StdEncoding.EncodeToString(cfg.ClientCertificate)
	if _, diags := (providerModel{ClientCertificate: types.StringValue(b64)}).resolve(envMap(nil)); diags.HasError() {
		t.Fatal(diags)
	}
}

func writeCert(t *testing.T, path string, withKey bool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if withKey {
		k, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k})...)
	}
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}
