package authmethods

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// method is one authentication method the resource can target.
type method struct {
	configID  string // the configuration's id in the authentication methods policy
	odataType string // its CSDL type, sent with every PATCH as the "Update …" examples do
}

// Method names of the resource, and their configurations.
const (
	methodFido2 = "fido2"
	methodX509  = "x509_certificate"
	// methodTAP targets the accounts for the Temporary Access Pass with which their custodians register keys.
	methodTAP = "temporary_access_pass"
)

var methods = map[string]method{
	methodFido2: {configID: "Fido2", odataType: "#microsoft.graph.fido2AuthenticationMethodConfiguration"},
	methodX509:  {configID: "X509Certificate", odataType: "#microsoft.graph.x509CertificateAuthenticationMethodConfiguration"},
	methodTAP:   {configID: "TemporaryAccessPass", odataType: "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration"},
}

// Target types of authenticationMethodTarget (CSDL authenticationMethodTargetType).
const (
	targetUser  = "user"
	targetGroup = "group"
)

// target is one include target: a user or a group by object id.
type target struct{ kind, id string }

func (t target) matches(m map[string]any) bool {
	kind, _ := m["targetType"].(string)
	id, _ := m["id"].(string)
	return strings.EqualFold(kind, t.kind) && strings.EqualFold(id, t.id)
}

// methodConfig is a method configuration exactly as Graph returned it. The typed SDK models serialize only the
// properties they saw change (kiota's backing store), and every other team's targets must go back unchanged in
// the PATCH that replaces includeTargets, so the configuration is edited as raw JSON.
type methodConfig map[string]any

func (c methodConfig) state() string { s, _ := c["state"].(string); return s }

func (c methodConfig) list(name string) []any { l, _ := c[name].([]any); return l }

// has reports whether t is one of the include targets.
func (c methodConfig) has(t target) bool {
	return slices.ContainsFunc(c.list("includeTargets"), func(v any) bool {
		m, _ := v.(map[string]any)
		return t.matches(m)
	})
}

// excluded reports whether t is one of the exclude targets, which win over include targets.
func (c methodConfig) excluded(t target) bool {
	return slices.ContainsFunc(c.list("excludeTargets"), func(v any) bool {
		m, _ := v.(map[string]any)
		return t.matches(m)
	})
}

// fingerprint identifies the version read: the configuration without Graph's annotations.
func (c methodConfig) fingerprint() string {
	plain := map[string]any{}
	for k, v := range c {
		if !strings.HasPrefix(k, "@") && !strings.Contains(k, "@odata.") {
			plain[k] = v
		}
	}
	b, _ := json.Marshal(plain) // maps marshal with sorted keys: equal versions give equal strings
	return string(b)
}

// certificateUserIdsBinding is the binding manage_x509_binding adds: the certificate's subject key identifier
// matched against certificateUserIds, a high-affinity binding (Microsoft Entra "Configure certificate-based
// authentication", username binding policy; the tenant default carries the same one).
var certificateUserIdsBinding = map[string]any{
	"x509CertificateField": "SubjectKeyIdentifier", "userProperty": "certificateUserIds", "trustAffinityLevel": "high",
}

// hasCertificateUserIdsBinding reports whether a username binding resolves certificateUserIds.
func (c methodConfig) hasCertificateUserIdsBinding() bool {
	return slices.ContainsFunc(c.list("certificateUserBindings"), func(v any) bool {
		m, _ := v.(map[string]any)
		p, _ := m["userProperty"].(string)
		return strings.EqualFold(p, "certificateUserIds")
	})
}

// multiFactor reports whether certificate sign-in can count as multi-factor: the default mode is multi-factor, or
// a rule (by issuer or policy OID) makes some certificates multi-factor. Which certificates the accounts will hold
// is not known here, so any such rule passes.
func (c methodConfig) multiFactor() bool {
	mode, _ := c["authenticationModeConfiguration"].(map[string]any)
	if def, _ := mode["x509CertificateAuthenticationDefaultMode"].(string); def == "x509CertificateMultiFactor" {
		return true
	}
	rules, _ := mode["rules"].([]any)
	return slices.ContainsFunc(rules, func(v any) bool {
		m, _ := v.(map[string]any)
		r, _ := m["x509CertificateAuthenticationMode"].(string)
		return r == "x509CertificateMultiFactor"
	})
}

// problem is one reason the accounts could not use the method: the attribute that fixes it, and how.
type problem struct {
	attribute string
	detail    string
}

// x509Problems lists what keeps the accounts from signing in with a certificate that counts as MFA, each with its
// fix; bindingManaged is manage_x509_binding (the write adds the binding).
func (c methodConfig) x509Problems(bindingManaged bool) []problem {
	var out []problem
	if !bindingManaged && !c.hasCertificateUserIdsBinding() {
		out = append(out, problem{"manage_x509_binding", "No username binding of the X.509 certificate configuration maps a certificate field to certificateUserIds, " +
			"so a certificate cannot be bound to the emergency accounts by their certificateUserIds. Set manage_x509_binding = true, " +
			"or add a binding in Entra admin center > Protection > Authentication methods > Certificate-based authentication > " +
			"Configure > Username binding (for example SKI -> certificateUserIds)."})
	}
	if !c.multiFactor() {
		out = append(out, problem{"method", "Certificate-based authentication counts as single-factor in this tenant (authentication binding default " +
			"x509CertificateSingleFactor and no rule making certificates multi-factor), so the emergency accounts' certificates would " +
			"not satisfy a policy requiring MFA. In Entra admin center > Protection > Authentication methods > Certificate-based " +
			"authentication > Configure > Authentication binding, add a rule making the accounts' issuer or policy OID multi-factor " +
			"(the provider leaves this tenant-wide setting to you)."})
	}
	return out
}

// change is what one write does to a configuration: targets added and removed, the method enabled, the
// certificateUserIds binding added.
type change struct {
	add, remove []target
	enable      bool
	addBinding  bool
}

// shownBy reports whether c already shows the change.
func (ch change) shownBy(c methodConfig) bool {
	for _, t := range ch.add {
		if !c.has(t) {
			return false
		}
	}
	for _, t := range ch.remove {
		if c.has(t) {
			return false
		}
	}
	return (!ch.enable || c.state() == "enabled") && (!ch.addBinding || c.hasCertificateUserIdsBinding())
}

// patchBody is the PATCH that makes c show the change, or nil when it already does. Collections are sent whole,
// as Graph replaces them: every target and binding of anyone else goes back exactly as read, in its place.
func (ch change) patchBody(c methodConfig, m method) map[string]any {
	if ch.shownBy(c) {
		return nil
	}
	body := map[string]any{"@odata.type": m.odataType}
	targets := slices.DeleteFunc(slices.Clone(c.list("includeTargets")), func(v any) bool {
		mt, _ := v.(map[string]any)
		return slices.ContainsFunc(ch.remove, func(t target) bool { return t.matches(mt) })
	})
	for _, t := range ch.add {
		if !c.has(t) {
			// isRegistrationRequired is non-nullable in authenticationMethodTarget; false leaves registration to the
			// accounts' owners.
			targets = append(targets, map[string]any{"targetType": t.kind, "id": t.id, "isRegistrationRequired": false})
		}
	}
	if !ch.sameTargets(c) {
		body["includeTargets"] = targets
	}
	if ch.enable && c.state() != "enabled" {
		body["state"] = "enabled"
	}
	if ch.addBinding && !c.hasCertificateUserIdsBinding() {
		bindings := slices.Clone(c.list("certificateUserBindings"))
		next := map[string]any{"priority": float64(maxPriority(bindings) + 1)}
		for k, v := range certificateUserIdsBinding {
			next[k] = v
		}
		body["certificateUserBindings"] = append(bindings, next)
	}
	return body
}

// sameTargets reports whether the change leaves includeTargets as they are.
func (ch change) sameTargets(c methodConfig) bool {
	for _, t := range ch.add {
		if !c.has(t) {
			return false
		}
	}
	return !slices.ContainsFunc(ch.remove, c.has)
}

func maxPriority(bindings []any) int {
	highest := 0
	for _, b := range bindings {
		m, _ := b.(map[string]any)
		if p, ok := m["priority"].(float64); ok && int(p) > highest {
			highest = int(p)
		}
	}
	return highest
}

// readConfig GETs a method configuration as raw JSON (clients.GetJSON says why).
func readConfig(ctx context.Context, c *clients.Client, m method) (methodConfig, error) {
	item := clients.Graph(c).Policies().AuthenticationMethodsPolicy().AuthenticationMethodConfigurations().ByAuthenticationMethodConfigurationId(m.configID)
	ri, err := item.ToGetRequestInformation(ctx, nil)
	if err != nil {
		return nil, err
	}
	var config methodConfig
	if err := clients.GetJSON(ctx, c, ri, &config); err != nil {
		return nil, err
	}
	return config, nil
}

// patchConfig PATCHes a method configuration. kiota never replays it (clients.PacedWrite without a limiter): a
// throttled PATCH sent again seconds later would carry a list read before another writer's change and undo it;
// the caller reads again instead (clients.ThrottledFor).
func patchConfig(ctx context.Context, c *clients.Client, m method, body map[string]any) error {
	item := clients.Graph(c).Policies().AuthenticationMethodsPolicy().AuthenticationMethodConfigurations().ByAuthenticationMethodConfigurationId(m.configID)
	ri, err := item.ToGetRequestInformation(ctx, nil)
	if err != nil {
		return err
	}
	ri.AddRequestOptions(clients.PacedWrite(nil))
	return clients.PatchJSON(ctx, c, ri, body)
}
