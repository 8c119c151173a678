package authmethods

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	otherGroup = "0d3b5c7e-2f41-4a8b-9c6d-7e1f2a3b4c5d"
	ourUser    = "11111111-2222-4333-8444-555555555555"
	ourGroup   = "66666666-7777-4888-9999-aaaaaaaaaaaa"
)

// config decodes Graph JSON as readConfig does.
func config(t *testing.T, s string) methodConfig {
	t.Helper()
	var c methodConfig
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func fido2(t *testing.T, targets string) methodConfig {
	return config(t, `{"@odata.context":"x","id":"Fido2","state":"enabled",
		"includeTargets":[`+targets+`],
		"excludeTargets":[{"targetType":"group","id":"9f8e7d6c-5b4a-4c3d-9e2f-1a0b9c8d7e6f"}]}`)
}

const otherTarget = `{"targetType":"group","id":"` + otherGroup + `","isRegistrationRequired":true,"allowedPasskeyProfiles":["aaaaaaaa-0000-4000-8000-000000000000"]}`

func TestPatchBodyAddsOursAndKeepsEveryoneElse(t *testing.T) {
	c := fido2(t, otherTarget)
	body := change{add: []target{{targetUser, ourUser}, {targetGroup, ourGroup}}}.patchBody(c, methods[methodFido2])
	if body["@odata.type"] != "#microsoft.graph.fido2AuthenticationMethodConfiguration" {
		t.Errorf("@odata.type = %v", body["@odata.type"])
	}
	targets, _ := body["includeTargets"].([]any)
	if len(targets) != 3 {
		t.Fatalf("includeTargets = %v", targets)
	}
	// The other team's target goes back exactly as read, first, with the properties this provider does not know.
	if !reflect.DeepEqual(targets[0], c.list("includeTargets")[0]) {
		t.Errorf("other team's target changed: %v", targets[0])
	}
	want := map[string]any{"targetType": "user", "id": ourUser, "isRegistrationRequired": false}
	if !reflect.DeepEqual(targets[1], want) {
		t.Errorf("our user target = %v, want %v", targets[1], want)
	}
	for _, untouched := range []string{"excludeTargets", "state", "id"} {
		if _, sent := body[untouched]; sent {
			t.Errorf("the body sends %s", untouched)
		}
	}
}

func TestPatchBodyRemovesOnlyOurs(t *testing.T) {
	c := fido2(t, otherTarget+`,{"targetType":"user","id":"`+strings.ToUpper(ourUser)+`","isRegistrationRequired":false}`)
	body := change{remove: []target{{targetUser, ourUser}, {targetGroup, ourGroup}}}.patchBody(c, methods[methodFido2])
	targets, _ := body["includeTargets"].([]any)
	if len(targets) != 1 || !reflect.DeepEqual(targets[0], c.list("includeTargets")[0]) {
		t.Errorf("includeTargets = %v, want only the other team's", targets)
	}
	// A group target with our user's id is not ours.
	c = fido2(t, `{"targetType":"group","id":"`+ourUser+`"}`)
	if body := (change{remove: []target{{targetUser, ourUser}}}).patchBody(c, methods[methodFido2]); body != nil {
		t.Errorf("removing a user took out a group target: %v", body)
	}
}

func TestPatchBodyNothingToDo(t *testing.T) {
	c := fido2(t, otherTarget+`,{"targetType":"user","id":"`+ourUser+`"}`)
	if body := (change{add: []target{{targetUser, ourUser}}, enable: true}).patchBody(c, methods[methodFido2]); body != nil {
		t.Errorf("body = %v, want none: the configuration already shows the change", body)
	}
}

func TestPatchBodyEnablesWithoutResendingTargets(t *testing.T) {
	c := fido2(t, `{"targetType":"user","id":"`+ourUser+`"}`)
	c["state"] = "disabled"
	body := change{add: []target{{targetUser, ourUser}}, enable: true}.patchBody(c, methods[methodFido2])
	if body["state"] != "enabled" {
		t.Errorf("state = %v", body["state"])
	}
	if _, sent := body["includeTargets"]; sent {
		t.Error("includeTargets sent although they do not change")
	}
}

const x509Binding = `{"x509CertificateField":"PrincipalName","userProperty":"userPrincipalName","priority":4,"trustAffinityLevel":"low"}`

func x509(t *testing.T, bindings, mode string) methodConfig {
	return config(t, `{"id":"X509Certificate","state":"enabled","includeTargets":[],"excludeTargets":[],
		"certificateUserBindings":[`+bindings+`],"authenticationModeConfiguration":`+mode+`}`)
}

func TestPatchBodyAddsBindingAfterEveryOther(t *testing.T) {
	c := x509(t, x509Binding, `{"x509CertificateAuthenticationDefaultMode":"x509CertificateMultiFactor","rules":[]}`)
	body := change{add: []target{{targetUser, ourUser}}, addBinding: true}.patchBody(c, methods[methodX509])
	bindings, _ := body["certificateUserBindings"].([]any)
	if len(bindings) != 2 || !reflect.DeepEqual(bindings[0], c.list("certificateUserBindings")[0]) {
		t.Fatalf("bindings = %v", bindings)
	}
	added, _ := bindings[1].(map[string]any)
	if added["userProperty"] != "certificateUserIds" || added["priority"] != 5.0 || added["trustAffinityLevel"] != "high" {
		t.Errorf("added binding = %v, want certificateUserIds at priority 5", added)
	}
	if (change{addBinding: true}).shownBy(c) {
		t.Error("a configuration without a certificateUserIds binding shows the binding added")
	}
}

func TestX509Problems(t *testing.T) {
	single := `{"x509CertificateAuthenticationDefaultMode":"x509CertificateSingleFactor","rules":[]}`
	ruleMFA := `{"x509CertificateAuthenticationDefaultMode":"x509CertificateSingleFactor","rules":[{"x509CertificateRuleType":"issuerSubject","identifier":"CN=Contoso","x509CertificateAuthenticationMode":"x509CertificateMultiFactor"}]}`
	noBinding := problem{"manage_x509_binding", "Set manage_x509_binding = true"}
	singleFactor := problem{"method", "single-factor"}
	skiBinding := `{"x509CertificateField":"SubjectKeyIdentifier","userProperty":"certificateUserIds","priority":1}`
	for name, tc := range map[string]struct {
		c       methodConfig
		managed bool
		want    []problem // the attribute, and what the detail says
	}{
		"ready":                    {x509(t, skiBinding, ruleMFA), false, nil},
		"no binding":               {x509(t, x509Binding, ruleMFA), false, []problem{noBinding}},
		"no binding, managed":      {x509(t, x509Binding, ruleMFA), true, nil},
		"single factor":            {x509(t, skiBinding, single), false, []problem{singleFactor}},
		"single factor no binding": {x509(t, x509Binding, single), false, []problem{noBinding, singleFactor}},
	} {
		got := tc.c.x509Problems(tc.managed)
		if len(got) != len(tc.want) {
			t.Errorf("%s: problems %q, want %d", name, got, len(tc.want))
			continue
		}
		for i, w := range tc.want {
			if got[i].attribute != w.attribute || !strings.Contains(got[i].detail, w.detail) {
				t.Errorf("%s: problem %+v, want on %s naming %q", name, got[i], w.attribute, w.detail)
			}
		}
	}
}

func TestFingerprintIgnoresAnnotations(t *testing.T) {
	a := fido2(t, otherTarget)
	b := fido2(t, otherTarget)
	b["includeTargets@odata.context"] = "elsewhere"
	if a.fingerprint() != b.fingerprint() {
		t.Error("annotations change the fingerprint")
	}
	b["state"] = "disabled"
	if a.fingerprint() == b.fingerprint() {
		t.Error("another state has the same fingerprint")
	}
}

func TestSupersededVersionsExpire(t *testing.T) {
	var s supersededVersions
	now := time.Now()
	if s.has("Fido2", "v1", now) {
		t.Fatal("empty set has v1")
	}
	s.add("Fido2", "v1", now)
	if !s.has("fido2", "v1", now.Add(time.Minute)) || s.has("Fido2", "v2", now) || s.has("X509Certificate", "v1", now) {
		t.Error("has disagrees with add")
	}
	if s.has("Fido2", "v1", now.Add(6*time.Minute)) {
		t.Error("a version replaced beyond the replication window still counts as stale")
	}
}

func TestIDRoundTrip(t *testing.T) {
	in := inputs{method: methodFido2, users: []string{strings.ToUpper(ourUser), "00000000-0000-4000-8000-000000000001"}, group: ourGroup}
	id := encodeID(in)
	if id != "method=fido2;users=00000000-0000-4000-8000-000000000001,"+ourUser+";group="+ourGroup {
		t.Errorf("id = %s", id)
	}
	back, err := decodeID(id)
	if err != nil || encodeID(back) != id {
		t.Errorf("decode(%s) = %+v, %v", id, back, err)
	}
	for _, bad := range []string{"", "method=fido2", "method=sms;users=" + ourUser, "method=fido2;users=bg1@contoso.com",
		"method=fido2;group=", "users=" + ourUser, "method=fido2;users=" + ourUser + ";policies=" + ourGroup} {
		if _, err := decodeID(bad); err == nil {
			t.Errorf("decodeID(%q) accepted", bad)
		}
	}
}

// TestLastWriteExpectsWhatTheWriteMadeTrue: a read showing the version before the write does not show the record;
// the read after it does; a refresh that settles on a read where someone else put a removed target back keeps
// only what the read shows, so a later write does not wait for it.
func TestLastWriteExpectsWhatTheWriteMadeTrue(t *testing.T) {
	ours, removed := target{targetUser, ourUser}, target{targetGroup, ourGroup}
	w := lastWriteOf(change{add: []target{ours}, remove: []target{removed}, enable: true})
	var round lastWrite
	b, _ := json.Marshal(w)
	if err := json.Unmarshal(b, &round); err != nil || !reflect.DeepEqual(round, w) {
		t.Fatalf("record %s does not round-trip: %v %v", b, round, err)
	}
	expect := w.change([]target{ours})
	beforeWrite := fido2(t, otherTarget+`,{"targetType":"group","id":"`+ourGroup+`"}`)
	afterWrite := fido2(t, otherTarget+`,{"targetType":"user","id":"`+ourUser+`"}`)
	if expect.shownBy(beforeWrite) || !expect.shownBy(afterWrite) {
		t.Errorf("shownBy: before the write %v, after it %v", expect.shownBy(beforeWrite), expect.shownBy(afterWrite))
	}
	prior := &priorWrite{change: expect, at: time.Now()}
	if !prior.unseenBy(beforeWrite) || prior.unseenBy(afterWrite) {
		t.Error("unseenBy disagrees with shownBy within the replication window")
	}
	if (&priorWrite{change: expect, at: time.Now().Add(-6 * time.Minute)}).unseenBy(beforeWrite) {
		t.Error("a write beyond the replication window still waits for its replica")
	}
	if seen := w.seenIn(afterWrite); !reflect.DeepEqual(seen, w) {
		t.Errorf("seenIn(after the write) = %v, want %v", seen, w)
	}
	readded := fido2(t, otherTarget+`,{"targetType":"user","id":"`+ourUser+`"},{"targetType":"group","id":"`+ourGroup+`"}`)
	if seen := w.seenIn(readded); len(seen.Removed) != 0 || !seen.Enabled {
		t.Errorf("seenIn(group put back) = %v, want the group dropped and enabled kept", seen)
	}
}
