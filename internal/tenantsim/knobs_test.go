package tenantsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestThrottleKnob(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv) // the token endpoint is never throttled
	srv.SetKnobs(Knobs{ThrottleRate: 1, RetryAfter: 1500 * time.Millisecond})
	resp, out := c.do("GET", "/v1.0/users", nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("throttle: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if e := out["error"].(map[string]any); e["code"] != "TooManyRequests" || e["innerError"] == nil {
		t.Fatalf("429 body %v", out)
	}
	// Metadata, login and control routes are never throttled.
	c.expect(http.StatusOK, "GET", "/metadata/endpoints?api-version=2022-09-01", nil)
	c.expect(http.StatusOK, "GET", "/_sim/knobs", nil)
	clientSecretToken(t, srv, srv.Info().ClientID, srv.Info().ClientSecret, GraphResourceID+".default")

	srv.SetKnobs(Knobs{ThrottleRate: 1})
	if resp, _ := c.do("GET", "/v1.0/users", nil); resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("default Retry-After %q", resp.Header.Get("Retry-After"))
	}
}

func TestServerErrorKnob(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	srv.SetKnobs(Knobs{ServerErrorRate: 1, RetryAfter: 3 * time.Second})
	resp, out := c.do("GET", "/v1.0/users", nil)
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "3" || out["error"].(map[string]any)["code"] != "serviceNotAvailable" {
		t.Fatalf("503: %d %v", resp.StatusCode, out)
	}
}

func TestResetKnob(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	srv.SetKnobs(Knobs{ResetRate: 1})
	for _, forceH2 := range []bool{false, true} {
		transport := c.http.Transport.(*http.Transport).Clone()
		transport.ForceAttemptHTTP2 = forceH2
		client := &http.Client{Transport: transport, Timeout: 5 * time.Second}
		req, _ := http.NewRequest("GET", c.url("/v1.0/users"), nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("h2=%v: got an answer (%d) instead of a reset", forceH2, resp.StatusCode)
		}
	}
	srv.SetKnobs(Knobs{})
	c.expect(http.StatusOK, "GET", "/v1.0/users", nil)
}

func TestReplicationDelayKnob(t *testing.T) {
	srv := startSim(t, Config{Knobs: Knobs{ReplicationDelay: 400 * time.Millisecond}})
	c := mainGraphClient(t, srv)
	created := c.expect(http.StatusCreated, "POST", "/v1.0/users", newUserBody("fresh"))
	id := created["id"].(string)
	if created["userPrincipalName"] != "fresh@contoso.onmicrosoft.com" {
		t.Fatalf("create response %v", created)
	}
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", "/v1.0/users/"+id, nil)
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", "/v1.0/users/fresh@contoso.onmicrosoft.com", nil)
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "PATCH", "/v1.0/users/"+id, map[string]any{"jobTitle": "x"})
	if v := c.expect(http.StatusOK, "GET", "/v1.0/users?$filter=id+eq+'"+id+"'", nil)["value"].([]any); len(v) != 0 {
		t.Fatal("unreplicated user listed")
	}
	// The object exists already: its UPN is taken, and the state helpers see it.
	c.expectError(http.StatusBadRequest, "Request_BadRequest", "POST", "/v1.0/users", newUserBody("fresh"))
	if _, ok := srv.User(id); !ok {
		t.Fatal("User() honours the replication delay")
	}
	time.Sleep(450 * time.Millisecond)
	c.expect(http.StatusOK, "GET", "/v1.0/users/"+id, nil)
}

func TestLatencyKnob(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	srv.SetKnobs(Knobs{Latency: 150 * time.Millisecond})
	start := time.Now()
	c.expect(http.StatusOK, "GET", "/v1.0/organization", nil)
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("latency not applied: %v", d)
	}
	start = time.Now()
	c.expect(http.StatusOK, "GET", "/metadata/endpoints?api-version=2022-09-01", nil)
	if d := time.Since(start); d >= 150*time.Millisecond {
		t.Fatalf("latency applied to metadata: %v", d)
	}
}

func TestFaultsAreReproducibleWithRandSeed(t *testing.T) {
	sequence := func() string {
		srv := startSim(t, Config{RandSeed: 7})
		c := mainGraphClient(t, srv)
		srv.SetKnobs(Knobs{ThrottleRate: 0.5})
		var statuses []string
		for i := 0; i < 20; i++ {
			resp, _ := c.do("GET", "/v1.0/organization", nil)
			statuses = append(statuses, resp.Status[:3])
		}
		return strings.Join(statuses, ",")
	}
	first, second := sequence(), sequence()
	if first != second || !strings.Contains(first, "429") || !strings.Contains(first, "200") {
		t.Fatalf("sequences differ or are degenerate:\n%s\n%s", first, second)
	}
}

func TestKnobsOverHTTP(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	c.expect(http.StatusOK, "PUT", "/_sim/knobs", `{"throttle_rate": 1, "retry_after": "3s", "latency": "1ms", "ReplicationDelay": "2s"}`)
	got := srv.Knobs()
	if got.ThrottleRate != 1 || got.RetryAfter != 3*time.Second || got.Latency != time.Millisecond || got.ReplicationDelay != 2*time.Second {
		t.Fatalf("knobs %+v", got)
	}
	out := c.expect(http.StatusOK, "GET", "/_sim/knobs", nil)
	if out["retry_after"] != "3s" || out["throttle_rate"] != float64(1) {
		t.Fatalf("GET knobs %v", out)
	}
	if resp, _ := c.do("GET", "/v1.0/users", nil); resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "3" {
		t.Fatalf("not applied: %d", resp.StatusCode)
	}
	c.expect(http.StatusBadRequest, "PUT", "/_sim/knobs", `{"throttle_rate": 2}`)
	c.expect(http.StatusBadRequest, "PUT", "/_sim/knobs", `{"latency": 5}`)
	c.expect(http.StatusBadRequest, "PUT", "/_sim/knobs", `{"unknown": "1s"}`)

	var roundTrip Knobs
	raw, _ := json.Marshal(got)
	if err := json.Unmarshal(raw, &roundTrip); err != nil || roundTrip != got {
		t.Fatalf("round trip %+v %v", roundTrip, err)
	}
	if _, err := Start(Config{Knobs: Knobs{ResetRate: -1}}); err == nil {
		t.Fatal("Start accepted a negative rate")
	}
}

// TestStaleReadKnobs: within the window after a write, a read sees the version before it (a 404 for a new user),
// each read drawn on its own; after the window, and for users nobody wrote, reads are current.
func TestStaleReadKnobs(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	id := createUser(t, c, "stale")
	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+id, map[string]any{"displayName": "Before"})
	srv.SetKnobs(Knobs{StaleReadWindow: time.Hour, StaleReadRate: 1})
	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+id, map[string]any{"displayName": "After"})
	if got := c.expect(http.StatusOK, "GET", "/v1.0/users/"+id, nil)["displayName"]; got != "Before" {
		t.Errorf("a stale read after the change shows displayName %v, want the previous value", got)
	}
	fresh := c.expect(http.StatusCreated, "POST", "/v1.0/users", newUserBody("fresh"))["id"].(string)
	c.expectError(http.StatusNotFound, "Request_ResourceNotFound", "GET", "/v1.0/users/"+fresh, nil)
	c.expect(http.StatusOK, "GET", "/v1.0/users/"+FixtureLicensedUserID, nil) // never written: current

	srv.SetKnobs(Knobs{StaleReadWindow: time.Hour, StaleReadRate: 0.5})
	seen := map[string]int{}
	for range 40 {
		resp, u := c.do("GET", "/v1.0/users/"+id, nil)
		seen[fmt.Sprint(resp.StatusCode, " ", u["displayName"])]++
	}
	if seen["200 Before"] == 0 || seen["200 After"] == 0 {
		t.Errorf("40 reads at rate 0.5 saw %v: each read must be drawn on its own", seen)
	}
	srv.SetKnobs(Knobs{StaleReadWindow: 10 * time.Millisecond, StaleReadRate: 1})
	time.Sleep(20 * time.Millisecond)
	if got := c.expect(http.StatusOK, "GET", "/v1.0/users/"+id, nil)["displayName"]; got != "After" {
		t.Errorf("after the window a read shows displayName %v, want After", got)
	}
}

// TestPrivilegedTargetRules: with the knob, the password, accountEnabled and CBA ids of a user holding a privileged
// role can be changed only by a caller holding Privileged Authentication Administrator (or Global Administrator);
// other properties, and users without such a role, need only the Graph permission.
func TestPrivilegedTargetRules(t *testing.T) {
	srv := startSim(t, Config{})
	c := mainGraphClient(t, srv)
	id := createUser(t, c, "privtarget")
	plain := createUser(t, c, "plaintarget")
	srv.SetKnobs(Knobs{PrivilegedTargetRules: true})
	srv.ActivateRole(id, GlobalAdministratorRoleID, time.Hour)
	password := map[string]any{"passwordProfile": map[string]any{"password": "Correct-Horse-Battery-Staple-42!", "forceChangePasswordNextSignIn": false}}
	for _, body := range []map[string]any{password, {"accountEnabled": false},
		{"authorizationInfo": map[string]any{"certificateUserIds": []any{"X509:<PN>privtarget@contoso.onmicrosoft.com"}}}} {
		c.expectError(http.StatusForbidden, "Authorization_RequestDenied", "PATCH", "/v1.0/users/"+id, body)
		c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+plain, body)
	}
	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+id, map[string]any{"displayName": "Still allowed"})

	sp, ok := srv.ServicePrincipalID(srv.Info().ClientID)
	if !ok {
		t.Fatal("no service principal for the main app")
	}
	remove, err := srv.AssignDirectoryRole(sp, PrivilegedAuthenticationAdministratorRoleID)
	if err != nil {
		t.Fatal(err)
	}
	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+id, password)
	remove()
	c.expectError(http.StatusForbidden, "Authorization_RequestDenied", "PATCH", "/v1.0/users/"+id, map[string]any{"accountEnabled": true})
	srv.SetKnobs(Knobs{})
	c.expect(http.StatusNoContent, "PATCH", "/v1.0/users/"+id, map[string]any{"accountEnabled": true})
}
