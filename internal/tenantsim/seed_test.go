package tenantsim

import (
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestDefaultFixtures(t *testing.T) {
	srv := startSim(t, Config{})
	info := srv.Info()
	if info.TenantID != defaultTenantID || info.SubscriptionID != defaultSubscriptionID || info.ClientID != mainClientID {
		t.Fatalf("info %+v", info)
	}
	admin, ok := srv.User("alex.wilber@contoso.com")
	if !ok || admin["onPremisesSyncEnabled"] != true || admin["id"] != FixtureSyncedAdminID {
		t.Fatalf("synced admin %v", admin)
	}
	licensed, _ := srv.User(FixtureLicensedUserID)
	if l := licensed["assignedLicenses"].([]any); len(l) != 1 {
		t.Fatalf("licensed user %v", licensed)
	}
	if !srv.CheckUserPassword(FixtureDisabledUserID, FixturePassword) {
		t.Fatal("fixture password")
	}
	if len(srv.Users()) != 3 || len(srv.DeletedUsers()) != 0 {
		t.Fatalf("users %d deleted %d", len(srv.Users()), len(srv.DeletedUsers()))
	}
}

func TestSeedFileMergesOverDefaults(t *testing.T) {
	cert, key := testCertificate(t)
	seed := map[string]any{
		"tenant_id": "0b7e4f2a-9c31-4d85-b6a2-e8f1c0d3a947",
		"domains":   []any{map[string]any{"id": "fabrikam.com", "isVerified": true, "isDefault": false, "isInitial": false, "authenticationType": "Managed", "supportedServices": []any{"Email"}}},
		"users": []any{
			map[string]any{"userPrincipalName": "seeded@fabrikam.com", "displayName": "Seeded", "mailNickname": "seeded", "accountEnabled": true, "password": "Seed-Passw0rd!"},
			map[string]any{"id": FixtureLicensedUserID, "jobTitle": "CFO"},
		},
		"generate_users": 10,
		"apps": []any{map[string]any{
			"client_id": "2c7d9e14-5a3b-4f68-9d01-b4e6a8c2f357", "display_name": "seeded app",
			"certificate_pem": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})),
			"roles":           []any{"User.Read.All"},
		}},
	}
	raw, _ := json.Marshal(seed)
	path := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := startSim(t, Config{SeedFile: path})
	info := srv.Info()
	if info.TenantID != "0b7e4f2a-9c31-4d85-b6a2-e8f1c0d3a947" {
		t.Fatalf("tenant %s", info.TenantID)
	}
	if len(srv.Users()) != 3+1+10 {
		t.Fatalf("users %d", len(srv.Users()))
	}
	if u, _ := srv.User(FixtureLicensedUserID); u["jobTitle"] != "CFO" || u["displayName"] != "Megan Bowen" {
		t.Fatalf("merged user %v", u)
	}
	c := mainGraphClient(t, srv)
	c.expect(http.StatusCreated, "POST", "/v1.0/users", map[string]any{
		"accountEnabled": true, "displayName": "On seeded domain", "mailNickname": "onseeded", "userPrincipalName": "onseeded@fabrikam.com",
		"passwordProfile": map[string]any{"password": "Str0ng-Passw0rd!"},
	})
	status, out := postForm(t, srv, tokenPath(srv), url.Values{
		"grant_type": {"password"}, "client_id": {info.ClientID}, "username": {"seeded@fabrikam.com"}, "password": {"Seed-Passw0rd!"}, "scope": {"openid"},
	})
	if status != http.StatusOK {
		t.Fatalf("seeded user sign-in: %d %v", status, out)
	}
	assertion := certificateAssertion(t, jwt.SigningMethodRS256, key, cert, "2c7d9e14-5a3b-4f68-9d01-b4e6a8c2f357",
		"https://"+info.MetadataHost+tokenPath(srv), time.Now().Add(time.Minute))
	status, out = postForm(t, srv, tokenPath(srv), url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"2c7d9e14-5a3b-4f68-9d01-b4e6a8c2f357"}, "scope": {GraphResourceID + ".default"},
		"client_assertion_type": {jwtBearerType}, "client_assertion": {assertion},
	})
	if status != http.StatusOK {
		t.Fatalf("seeded certificate app: %d %v", status, out)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(bad, []byte(`{"tenant": "typo"}`), 0o600)
	if _, err := Start(Config{SeedFile: bad}); err == nil {
		t.Fatal("seed file with an unknown field accepted")
	}
}

func TestGenerateUsersIsDeterministic(t *testing.T) {
	a, b := GenerateUsers(30), GenerateUsers(30)
	ra, _ := json.Marshal(a)
	rb, _ := json.Marshal(b)
	if string(ra) != string(rb) || len(a) != 30 {
		t.Fatal("GenerateUsers is not deterministic")
	}
	if len(GenerateUsers(0)) != 0 {
		t.Fatal("GenerateUsers(0)")
	}
}

func TestControlRoutesAndStateHelpers(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	id := createUser(t, c, "drift")

	// Drift that Graph refuses: synced from on-premises, licensed.
	if err := srv.SetUserFields(id, map[string]any{"onPremisesSyncEnabled": true,
		"assignedLicenses": []map[string]any{{"skuId": microsoft365E5SkuID, "disabledPlans": []string{}}}}); err != nil {
		t.Fatal(err)
	}
	got := c.expect(http.StatusOK, "GET", "/v1.0/users/"+id+"?$select=onPremisesSyncEnabled,assignedLicenses", nil)
	if got["onPremisesSyncEnabled"] != true || len(got["assignedLicenses"].([]any)) != 1 {
		t.Fatalf("drift not visible: %v", got)
	}
	if err := srv.SetUserFields(id, map[string]any{"shoeSize": 1}); err == nil {
		t.Fatal("unknown field accepted")
	}
	if err := srv.SetUserFields("nobody@contoso.com", map[string]any{"jobTitle": "x"}); err == nil {
		t.Fatal("unknown user accepted")
	}

	out := c.expect(http.StatusOK, "PATCH", "/_sim/users/"+id, map[string]any{"accountEnabled": false, "password": "Changed-0ut-of-band!"})
	if out["accountEnabled"] != false || !srv.CheckUserPassword(id, "Changed-0ut-of-band!") {
		t.Fatalf("control PATCH %v", out)
	}
	c.expect(http.StatusNotFound, "PATCH", "/_sim/users/nobody@contoso.com", map[string]any{"jobTitle": "x"})
	users := c.expect(http.StatusOK, "GET", "/_sim/users", nil)["value"].([]any)
	if len(users) != 4 {
		t.Fatalf("control users %d", len(users))
	}
	c.expect(http.StatusNoContent, "DELETE", "/v1.0/users/"+FixtureLicensedUserID, nil)
	if deleted := c.expect(http.StatusOK, "GET", "/_sim/deletedUsers", nil)["value"].([]any); len(deleted) != 1 {
		t.Fatalf("control deleted users %v", deleted)
	}
	var info Info
	raw, _ := json.Marshal(c.expect(http.StatusOK, "GET", "/_sim/info", nil))
	_ = json.Unmarshal(raw, &info)
	if info != srv.Info() {
		t.Fatalf("info %+v", info)
	}
}
