package badinput_test

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/provider"
)

// kind is which Validate*Config call a configuration goes to.
type kind int

const (
	resourceKind kind = iota
	dataSourceKind
	ephemeralKind
	providerKind
)

func (k kind) String() string {
	return [...]string{"resource", "data source", "ephemeral resource", "provider"}[k]
}

// block is a type of configuration block: its kind, its type name, and a configuration that validates cleanly, which
// each bad input changes in one place.
type block struct {
	kind kind
	name string
	base map[string]any
}

const (
	guid1 = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
	guid2 = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
	subID = "00000000-0000-4000-8000-000000000001"
)

var (
	account = block{resourceKind, "breakglass_account", map[string]any{"display_name": "Ops 7k2m"}}
	pim     = block{resourceKind, "breakglass_pim_permanent_assignment", map[string]any{
		"principal_id": guid1, "role": "Global Administrator",
	}}
	exclusion     = block{resourceKind, "breakglass_ca_policy_exclusion", map[string]any{"user_ids": []any{guid1}, "match": "all"}}
	methodTargets = block{resourceKind, "breakglass_authentication_method_targets", map[string]any{"method": "fido2", "user_ids": []any{guid1}}}
	alert         = block{resourceKind, "breakglass_alert", map[string]any{
		"name": "ops-alert", "resource_group_name": "rg-monitor", "location": "westeurope",
		"workspace_id":     "/subscriptions/" + subID + "/resourceGroups/rg-monitor/providers/Microsoft.OperationalInsights/workspaces/law-1",
		"accounts":         []any{map[string]any{"object_id": guid1, "user_principal_name": "ops-7k2m@contoso.onmicrosoft.com"}},
		"action_group_ids": []any{"/subscriptions/" + subID + "/resourceGroups/rg-monitor/providers/Microsoft.Insights/actionGroups/soc"},
	}}
	unit = block{resourceKind, "breakglass_restricted_management_unit", map[string]any{
		"display_name": "Cloud Operations", "member_user_ids": []any{guid1},
	}}
	password        = block{ephemeralKind, "breakglass_password", map[string]any{}}
	tapRequest      = block{resourceKind, "breakglass_temporary_access_pass_request", map[string]any{"user_id": guid1, "version": "2026-01"}}
	tapPass         = block{ephemeralKind, "breakglass_temporary_access_pass", map[string]any{"user_id": guid1, "request_id": guid2}}
	roleAssignments = block{dataSourceKind, "breakglass_role_assignments", map[string]any{}}
	privilegedApps  = block{dataSourceKind, "breakglass_privileged_applications", map[string]any{}}
	posture         = block{dataSourceKind, "breakglass_posture", map[string]any{"account_ids": []any{guid1}}}
	providerConfig  = block{providerKind, "breakglass", map[string]any{}}

	blocks = []block{account, pim, exclusion, methodTargets, unit, alert, password, tapRequest, tapPass, roleAssignments, privilegedApps, posture, providerConfig}
)

// badInput is one wrong configuration: the block's base with set applied (nil sets an attribute to null), and the
// diagnostic it must get: on path (nil for a diagnostic about the whole block), with want in its summary or detail.
type badInput struct {
	block block
	name  string
	set   map[string]any
	path  *tftypes.AttributePath
	want  string
}

// at is the path of an attribute, then list indexes (int), set elements (string) or nested attribute names (attr).
func at(name string, steps ...any) *tftypes.AttributePath {
	p := tftypes.NewAttributePath().WithAttributeName(name)
	for _, s := range steps {
		switch s := s.(type) {
		case int:
			p = p.WithElementKeyInt(s)
		case attr:
			p = p.WithAttributeName(string(s))
		case string:
			p = p.WithElementKeyValue(tftypes.NewValue(tftypes.String, s))
		default:
			panic(fmt.Sprintf("path step %T", s))
		}
	}
	return p
}

type attr string

func repeat(s string, n int) string { return strings.Repeat(s, n) }

func alertAccounts(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"object_id": fmt.Sprintf("3f2504e0-4f89-41d3-9a0c-%012d", i), "user_principal_name": fmt.Sprintf("ops%d@contoso.onmicrosoft.com", i)}
	}
	return out
}

const (
	actionGroupID = "/subscriptions/" + subID + "/resourceGroups/rg-monitor/providers/Microsoft.Insights/actionGroups/soc"
	goodPassword  = "Correct-Horse-Battery-Staple-7-Correct-Horse-Battery-Staple-7-xyz"
)

var badInputs = []badInput{
	// breakglass_account
	{account, "empty display name", map[string]any{"display_name": ""}, at("display_name"), "must not be empty or only white space"},
	{account, "blank display name", map[string]any{"display_name": " \t "}, at("display_name"), "must not be empty or only white space"},
	{account, "UPN without @", map[string]any{"user_principal_name": "ops7k2m.contoso.com"}, at("user_principal_name"), "it needs the form local@domain"},
	{account, "UPN with two @", map[string]any{"user_principal_name": "ops@7k2m@contoso.com"}, at("user_principal_name"), `it has 2 "@" characters`},
	{account, "UPN with accented letter", map[string]any{"user_principal_name": "opé@contoso.com"}, at("user_principal_name"), "which Entra does not accept"},
	{account, "UPN with leading dot", map[string]any{"user_principal_name": ".ops@contoso.com"}, at("user_principal_name"), `starts or ends with "."`},
	{account, "UPN with two dots", map[string]any{"user_principal_name": "o..ps@contoso.com"}, at("user_principal_name"), "two dots in a row"},
	{account, "UPN local part of 65", map[string]any{"user_principal_name": repeat("a", 65) + "@contoso.com"}, at("user_principal_name"), "shorten it to 64"},
	{account, "UPN on a bare host", map[string]any{"user_principal_name": "ops@contoso"}, at("user_principal_name"), "not a fully qualified domain name"},
	{account, "UPN domain of 49", map[string]any{"user_principal_name": "ops@" + repeat("d", 45) + ".com"}, at("user_principal_name"), "Entra allows 48"},
	{account, "mail nickname with a space", map[string]any{"mail_nickname": "ops 7k2m"}, at("mail_nickname"), "it contains a space"},
	{account, "mail nickname with @", map[string]any{"mail_nickname": "ops@7k2m"}, at("mail_nickname"), "Invalid mail nickname"},
	{account, "mail nickname of 65", map[string]any{"mail_nickname": repeat("n", 65)}, at("mail_nickname"), "shorten it to 64"},
	{account, "password length 63", map[string]any{"password_length": 63}, at("password_length"), "between 64 and 256"},
	{account, "password length 257", map[string]any{"password_length": 257}, at("password_length"), "between 64 and 256"},
	{account, "short write-only password", map[string]any{"password_wo": "Sh0rt!pass", "password_wo_version": 1}, at("password_wo"), "use 64 to 256 characters"},
	{account, "write-only password of one class", map[string]any{"password_wo": repeat("a", 80), "password_wo_version": 1}, at("password_wo"), "only 1 of the four character classes"},
	{account, "write-only password with a tab", map[string]any{"password_wo": goodPassword + "\t", "password_wo_version": 1}, at("password_wo"), "characters Entra does not accept at position 66"},
	{account, "write-only password and password_length", map[string]any{"password_wo": goodPassword, "password_wo_version": 1, "password_length": 100}, at("password_length"), "Conflicting password settings"},
	{account, "write-only password without version", map[string]any{"password_wo": goodPassword}, at("password_wo"), "These attributes must be configured together: [password_wo,password_wo_version]"},
	{account, "write-only password with keepers", map[string]any{"password_wo": goodPassword, "password_wo_version": 1, "keepers": map[string]any{"rotated": "2026-01"}}, at("password_wo"), "These attributes cannot be configured together: [password_wo,keepers]"},
	{account, "certificate id with lower-case prefix", map[string]any{"certificate_user_ids": []any{"x509:<PN>ops@contoso.com"}}, at("certificate_user_ids", "x509:<PN>ops@contoso.com"), `write "X509:" in capitals`},
	{account, "certificate id with odd hex", map[string]any{"certificate_user_ids": []any{"X509:<SKI>abc"}}, at("certificate_user_ids", "X509:<SKI>abc"), "odd number of hexadecimal digits"},
	{account, "certificate id with unknown tag", map[string]any{"certificate_user_ids": []any{"X509:<UPN>ops@contoso.com"}}, at("certificate_user_ids", "X509:<UPN>ops@contoso.com"), "not one Entra supports"},
	{account, "eleven certificate ids", map[string]any{"certificate_user_ids": func() []any {
		ids := make([]any, 11)
		for i := range ids {
			ids[i] = fmt.Sprintf("X509:<SKI>%02x", i)
		}
		return ids
	}()}, at("certificate_user_ids"), "set must contain at least 1 elements and at most 10"},

	// breakglass_pim_permanent_assignment
	{pim, "principal id not a GUID", map[string]any{"principal_id": "ops@contoso.com"}, at("principal_id"), "must be an object id (GUID)"},
	{pim, "empty role", map[string]any{"role": ""}, at("role"), "at least 1"},
	{pim, "role id not a GUID", map[string]any{"role": nil, "role_definition_id": "Global Administrator"}, at("role_definition_id"), "must be a role template id (GUID)"},
	{pim, "role and role id", map[string]any{"role_definition_id": "62e90394-69f5-4237-9190-012177145e10"}, at("role"), "Exactly one of these attributes must be configured: [role,role_definition_id]"},
	{pim, "neither role nor role id", map[string]any{"role": nil}, nil, "Exactly one of these attributes must be configured: [role,role_definition_id]"},
	{pim, "relative directory scope", map[string]any{"directory_scope_id": "administrativeUnits/" + guid2}, at("directory_scope_id"), `must start with "/"`},
	{pim, "blank justification", map[string]any{"justification": "   "}, at("justification"), "must not be empty or only white space"},
	{pim, "unknown assignment method", map[string]any{"assignment_method": "eligible"}, at("assignment_method"), `value must be one of: ["pim" "direct"]`},

	// breakglass_ca_policy_exclusion
	{exclusion, "empty user list", map[string]any{"user_ids": []any{}, "group_ids": []any{guid2}}, at("user_ids"), "list must contain at least 1 elements"},
	{exclusion, "duplicate users", map[string]any{"user_ids": []any{guid1, guid1}}, at("user_ids"), "duplicate"},
	{exclusion, "user id not a GUID", map[string]any{"user_ids": []any{"ops@contoso.com"}}, at("user_ids", 0), "must be an object id (GUID)"},
	{exclusion, "group id not a GUID", map[string]any{"group_ids": []any{"Emergency access"}}, at("group_ids", 0), "must be an object id (GUID)"},
	{exclusion, "no users or groups", map[string]any{"user_ids": nil}, nil, "At least one of these attributes must be configured: [user_ids,group_ids]"},
	{exclusion, "policy ids and match", map[string]any{"policy_ids": []any{guid2}}, at("policy_ids"), "Exactly one of these attributes must be configured: [policy_ids,match]"},
	{exclusion, "neither policy ids nor match", map[string]any{"match": nil}, nil, "Exactly one of these attributes must be configured: [policy_ids,match]"},
	{exclusion, "unknown match", map[string]any{"match": "mfa"}, at("match"), `value must be one of: ["all" "requires_mfa" "blocks_access" "grant_controls"]`},
	{exclusion, "except ids without match", map[string]any{"match": nil, "policy_ids": []any{guid2}, "except_policy_ids": []any{guid1}}, at("except_policy_ids"), `Attribute "match" must be specified when "except_policy_ids" is specified`},
	{exclusion, "except id not a GUID", map[string]any{"except_policy_ids": []any{"MFA for admins"}}, at("except_policy_ids", 0), "must be an object id (GUID)"},

	// breakglass_authentication_method_targets
	{methodTargets, "unknown method", map[string]any{"method": "sms"}, at("method"), `value must be one of: ["fido2" "x509_certificate" "temporary_access_pass"]`},
	{methodTargets, "empty user set", map[string]any{"user_ids": []any{}, "group_id": guid2}, at("user_ids"), "set must contain at least 1 elements"},
	{methodTargets, "user id not a GUID", map[string]any{"user_ids": []any{"ops@contoso.com"}}, at("user_ids", "ops@contoso.com"), "must be an object id (GUID)"},
	{methodTargets, "group name instead of id", map[string]any{"group_id": "Emergency access"}, at("group_id"), "must be an object id (GUID)"},
	{methodTargets, "no users or group", map[string]any{"user_ids": nil}, nil, "At least one of these attributes must be configured: [user_ids,group_id]"},
	{methodTargets, "X.509 binding for FIDO2", map[string]any{"manage_x509_binding": true}, at("manage_x509_binding"), `applies to method = "x509_certificate" only`},

	// breakglass_alert
	{alert, "name starting with a hyphen", map[string]any{"name": "-ops-alert"}, at("name"), "must be 2-232 letters"},
	{alert, "resource group ending with a dot", map[string]any{"resource_group_name": "rg-monitor."}, at("resource_group_name"), "must be a resource group name"},
	{alert, "display name as location", map[string]any{"location": "West Europe"}, at("location"), `not "West Europe"`},
	{alert, "workspace name instead of id", map[string]any{"workspace_id": "law-1"}, at("workspace_id"), "must be a Log Analytics workspace ARM id"},
	{alert, "no accounts", map[string]any{"accounts": []any{}}, at("accounts"), "list must contain at least 1 elements and at most 20"},
	{alert, "21 accounts", map[string]any{"accounts": alertAccounts(21)}, at("accounts"), "list must contain at least 1 elements and at most 20"},
	{alert, "account object id not a GUID", map[string]any{"accounts": []any{map[string]any{"object_id": "ops", "user_principal_name": "ops@contoso.com"}}}, at("accounts", 0, attr("object_id")), "must be an object id (GUID)"},
	{alert, "account UPN with a quote", map[string]any{"accounts": []any{map[string]any{"object_id": guid1, "user_principal_name": `ops"@contoso.com`}}}, at("accounts", 0, attr("user_principal_name")), "Invalid user principal name"},
	{alert, "unknown sign-in result", map[string]any{"sign_in_result": "failed"}, at("sign_in_result"), `value must be one of: ["any" "success" "failure"]`},
	{alert, "severity 5", map[string]any{"severity": 5}, at("severity"), "value must be between 0 and 4"},
	{alert, "frequency Azure Monitor lacks", map[string]any{"evaluation_frequency": "PT2M"}, at("evaluation_frequency"), "value must be one of"},
	{alert, "window shorter than frequency", map[string]any{"evaluation_frequency": "PT1H", "window_size": "PT15M"}, at("window_size"), "Set window_size to PT1H or longer"},
	{alert, "window shorter than default frequency", map[string]any{"window_size": "PT1M"}, at("window_size"), "window_size PT1M is shorter than evaluation_frequency PT5M"},
	{alert, "empty description", map[string]any{"description": ""}, at("description"), "string length must be between 1 and 2048"},
	{alert, "unknown diagnostic category", map[string]any{"diagnostic_setting": map[string]any{"name": "entra-logs", "categories": []any{"SignIns"}}}, at("diagnostic_setting", attr("categories"), "SignIns"), "value must be one of"},
	{alert, "short name of 13", map[string]any{"action_group": map[string]any{"short_name": repeat("s", 13), "email_receivers": []any{map[string]any{"name": "soc", "email_address": "soc@contoso.com"}}}}, at("action_group", attr("short_name")), "string length must be between 1 and 12"},
	{alert, "action group without receivers", map[string]any{"action_group": map[string]any{"short_name": "soc"}}, at("action_group"), "nobody would be told"},
	{alert, "e-mail receiver without a domain", map[string]any{"action_group": map[string]any{"short_name": "soc", "email_receivers": []any{map[string]any{"name": "soc", "email_address": "soc"}}}}, at("action_group", attr("email_receivers"), 0, attr("email_address")), "must be an e-mail address"},
	{alert, "country code with +", map[string]any{"action_group": map[string]any{"short_name": "soc", "sms_receivers": []any{map[string]any{"name": "duty", "country_code": "+44", "phone_number": "7700900123"}}}}, at("action_group", attr("sms_receivers"), 0, attr("country_code")), "without '+'"},
	{alert, "phone number too short", map[string]any{"action_group": map[string]any{"short_name": "soc", "voice_receivers": []any{map[string]any{"name": "duty", "country_code": "44", "phone_number": "123"}}}}, at("action_group", attr("voice_receivers"), 0, attr("phone_number")), "must be 4-15 digits"},
	{alert, "webhook over http", map[string]any{"action_group": map[string]any{"short_name": "soc", "webhook_receivers": []any{map[string]any{"name": "siem", "service_uri": "http://siem.contoso.com/hook"}}}}, at("action_group", attr("webhook_receivers"), 0, attr("service_uri")), "must be an https:// URL"},
	{alert, "action group name instead of id", map[string]any{"action_group_ids": []any{"soc"}}, at("action_group_ids", 0), "must be an action group ARM id"},
	{alert, "duplicate action group ids", map[string]any{"action_group_ids": []any{actionGroupID, actionGroupID}}, at("action_group_ids"), "duplicate"},
	{alert, "exclusion groups without the policy watch", map[string]any{"exclusion_group_ids": []any{guid2}}, at("exclusion_group_ids"), "Set watch_conditional_access_policies = true"},
	{alert, "empty exclusion groups", map[string]any{"watch_conditional_access_policies": true, "exclusion_group_ids": []any{}}, at("exclusion_group_ids"), "set must contain at least 1 elements and at most 20"},
	{alert, "policy watch without the change rule", map[string]any{"monitor_account_changes": false, "watch_conditional_access_policies": true}, at("watch_conditional_access_policies"), "set monitor_account_changes = true"},
	{alert, "nobody to notify", map[string]any{"action_group_ids": nil}, nil, "At least one of these attributes must be configured: [action_group,action_group_ids]"},

	// ephemeral breakglass_password
	{password, "length 63", map[string]any{"length": 63}, at("length"), "value must be between 64 and 256, got: 63"},
	{password, "length 257", map[string]any{"length": 257}, at("length"), "value must be between 64 and 256, got: 257"},
	{password, "length 0", map[string]any{"length": 0}, at("length"), "value must be between 64 and 256, got: 0"},

	// breakglass_temporary_access_pass_request and the ephemeral breakglass_temporary_access_pass
	{tapRequest, "user principal name instead of id", map[string]any{"user_id": "ops@contoso.onmicrosoft.com"}, at("user_id"), "must be an object id"},
	{tapRequest, "blank version", map[string]any{"version": " "}, at("version"), "must not be empty or only white space"},
	{tapRequest, "lifetime of 5 minutes", map[string]any{"lifetime_in_minutes": 5}, at("lifetime_in_minutes"), "value must be between 10 and 43200, got: 5"},
	{tapRequest, "lifetime above 30 days", map[string]any{"lifetime_in_minutes": 43201}, at("lifetime_in_minutes"), "value must be between 10 and 43200, got: 43201"},
	// resource breakglass_restricted_management_unit
	{unit, "blank display name", map[string]any{"display_name": "  "}, at("display_name"), "must not be empty or only white space"},
	{unit, "no members", map[string]any{"member_user_ids": []any{}}, at("member_user_ids"), "set must contain at least 1 elements"},
	{unit, "member by user principal name", map[string]any{"member_user_ids": []any{"ops@contoso.onmicrosoft.com"}}, at("member_user_ids", "ops@contoso.onmicrosoft.com"), "must be an object id (GUID)"},
	{unit, "manager by user principal name", map[string]any{"manager_principal_id": "ops@contoso.onmicrosoft.com"}, at("manager_principal_id"), "must be an object id (GUID)"},
	{unit, "manager role by name", map[string]any{"manager_principal_id": guid2, "manager_role_id": "Privileged Authentication Administrator"}, at("manager_role_id"), "must be a role template id (GUID)"},

	{tapPass, "user principal name instead of id", map[string]any{"user_id": "ops@contoso.onmicrosoft.com"}, at("user_id"), "must be an object id"},

	// data source breakglass_role_assignments
	{roleAssignments, "empty role name", map[string]any{"roles": []any{"Global Administrator", ""}}, at("roles", 1), "string length must be at least 1"},
	{roleAssignments, "unknown principal type", map[string]any{"principal_types": []any{"user", "application"}}, at("principal_types", 1), `value must be one of: ["user" "group" "servicePrincipal"]`},

	// data source breakglass_privileged_applications
	{privilegedApps, "tier 2", map[string]any{"max_tier": 2}, at("max_tier"), "value must be between 0 and 1, got: 2"},
	{privilegedApps, "tier -1", map[string]any{"max_tier": -1}, at("max_tier"), "value must be between 0 and 1, got: -1"},

	// data source breakglass_posture
	{posture, "no accounts", map[string]any{"account_ids": []any{}}, at("account_ids"), "list must contain at least 1 elements"},
	{posture, "account UPN instead of id", map[string]any{"account_ids": []any{guid1, "ops@contoso.com"}}, at("account_ids", 1), "must be an object id"},
	{posture, "allowed policy name instead of id", map[string]any{"allowed_policy_ids": []any{"MFA for admins"}}, at("allowed_policy_ids", "MFA for admins"), "must be an object id"},
	{posture, "test interval 0", map[string]any{"test_interval_days": 0}, at("test_interval_days"), "value must be between 1 and 3650, got: 0"},
	{posture, "test interval of 11 years", map[string]any{"test_interval_days": 4000}, at("test_interval_days"), "value must be between 1 and 3650, got: 4000"},
	{posture, "no Global Administrators allowed", map[string]any{"max_global_admins": 0}, at("max_global_admins"), "value must be at least 1, got: 0"},
	{posture, "empty resource group", map[string]any{"alert_resource_group_name": ""}, at("alert_resource_group_name"), "string length must be between 1 and 90"},

	// provider configuration
	{providerConfig, "tenant domain instead of id", map[string]any{"tenant_id": "contoso.onmicrosoft.com"}, at("tenant_id"), "must be a GUID"},
	{providerConfig, "client id not a GUID", map[string]any{"client_id": "breakglass-terraform"}, at("client_id"), "must be a GUID"},
	{providerConfig, "subscription name instead of id", map[string]any{"subscription_id": "Production"}, at("subscription_id"), "must be a GUID"},
	{providerConfig, "unknown environment", map[string]any{"environment": "germany"}, at("environment"), "value must be one of"},
	{providerConfig, "metadata host with scheme", map[string]any{"metadata_host": "https://management.azure.com"}, at("metadata_host"), `give the host only, e.g. "management.azure.com"`},
	{providerConfig, "metadata host with path", map[string]any{"metadata_host": "management.azure.com/metadata"}, at("metadata_host"), "has a path or query"},
	{providerConfig, "metadata host padded", map[string]any{"metadata_host": " management.azure.com"}, at("metadata_host"), "must not be empty or padded"},
	{providerConfig, "certificate and certificate path", map[string]any{"client_certificate": "MIIK", "client_certificate_path": "/secrets/bg.pfx"}, at("client_certificate"), `Attribute "client_certificate_path" cannot be specified when "client_certificate" is specified`},
}

var server = sync.OnceValues(func() (tfprotov6.ProviderServer, error) {
	return providerserver.NewProtocol6WithError(provider.New("test")())()
})

var schemas = sync.OnceValues(func() (*tfprotov6.GetProviderSchemaResponse, error) {
	s, err := server()
	if err != nil {
		return nil, err
	}
	return s.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
})

// schemaOf returns the schema of a block type.
func schemaOf(t *testing.T, b block) *tfprotov6.Schema {
	t.Helper()
	resp, err := schemas()
	if err != nil {
		t.Fatal(err)
	}
	var s *tfprotov6.Schema
	switch b.kind {
	case resourceKind:
		s = resp.ResourceSchemas[b.name]
	case dataSourceKind:
		s = resp.DataSourceSchemas[b.name]
	case ephemeralKind:
		s = resp.EphemeralResourceSchemas[b.name]
	case providerKind:
		s = resp.Provider
	}
	if s == nil {
		t.Fatalf("the provider has no %s schema %s", b.kind, b.name)
	}
	return s
}

// value converts v to a value of typ: nil is null, string, int and bool are primitives, []any a list or set,
// map[string]any a map or an object whose attributes left out are null.
func value(t *testing.T, typ tftypes.Type, v any) tftypes.Value {
	t.Helper()
	if v == nil {
		return tftypes.NewValue(typ, nil)
	}
	switch typ := typ.(type) {
	case tftypes.List, tftypes.Set:
		items, ok := v.([]any)
		if !ok {
			t.Fatalf("%s needs []any, got %T", typ, v)
		}
		var elem tftypes.Type
		if l, ok := typ.(tftypes.List); ok {
			elem = l.ElementType
		} else if s, ok := typ.(tftypes.Set); ok {
			elem = s.ElementType
		}
		values := make([]tftypes.Value, len(items))
		for i, item := range items {
			values[i] = value(t, elem, item)
		}
		return tftypes.NewValue(typ, values)
	case tftypes.Map:
		items, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s needs map[string]any, got %T", typ, v)
		}
		values := map[string]tftypes.Value{}
		for k, item := range items {
			values[k] = value(t, typ.ElementType, item)
		}
		return tftypes.NewValue(typ, values)
	case tftypes.Object:
		items, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s needs map[string]any, got %T", typ, v)
		}
		return object(t, typ, items)
	}
	switch {
	case typ.Is(tftypes.Number):
		n, ok := v.(int)
		if !ok {
			t.Fatalf("number needs int, got %T", v)
		}
		return tftypes.NewValue(typ, big.NewFloat(float64(n)))
	case typ.Is(tftypes.String), typ.Is(tftypes.Bool):
		return tftypes.NewValue(typ, v)
	}
	t.Fatalf("no conversion to %s", typ)
	return tftypes.Value{}
}

// object builds an object of typ from set, every attribute left out null.
func object(t *testing.T, typ tftypes.Object, set map[string]any) tftypes.Value {
	t.Helper()
	values := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		values[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range set {
		at, ok := typ.AttributeTypes[name]
		if !ok {
			t.Fatalf("no attribute %q", name)
		}
		values[name] = value(t, at, v)
	}
	return tftypes.NewValue(typ, values)
}

// validate sends b's base configuration, changed by set, to the provider and returns the diagnostics.
func validate(t *testing.T, b block, set map[string]any) []*tfprotov6.Diagnostic {
	t.Helper()
	s, err := server()
	if err != nil {
		t.Fatal(err)
	}
	typ, ok := schemaOf(t, b).ValueType().(tftypes.Object)
	if !ok {
		t.Fatalf("%s: the schema is not an object", b.name)
	}
	config := map[string]any{}
	for k, v := range b.base {
		config[k] = v
	}
	for k, v := range set {
		config[k] = v
	}
	dv, err := tfprotov6.NewDynamicValue(typ, object(t, typ, config))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	switch b.kind {
	case resourceKind:
		// Terraform 1.11 and later announce that they handle write-only attributes such as password_wo.
		resp, err := s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: b.name, Config: &dv,
			ClientCapabilities: &tfprotov6.ValidateResourceConfigClientCapabilities{WriteOnlyAttributesAllowed: true}})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Diagnostics
	case dataSourceKind:
		resp, err := s.ValidateDataResourceConfig(ctx, &tfprotov6.ValidateDataResourceConfigRequest{TypeName: b.name, Config: &dv})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Diagnostics
	case ephemeralKind:
		resp, err := s.ValidateEphemeralResourceConfig(ctx, &tfprotov6.ValidateEphemeralResourceConfigRequest{TypeName: b.name, Config: &dv})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Diagnostics
	default:
		resp, err := s.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: &dv})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Diagnostics
	}
}

func describe(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "\n  %s at %v: %s: %s", d.Severity, d.Attribute, d.Summary, d.Detail)
	}
	return b.String()
}

// TestBaseConfigurationsValidate is the control for TestBadInputs: each block's base configuration passes without a
// single diagnostic, so every diagnostic there comes from the one change a case makes.
func TestBaseConfigurationsValidate(t *testing.T) {
	for _, b := range blocks {
		t.Run(b.name, func(t *testing.T) {
			if diags := validate(t, b, nil); len(diags) > 0 {
				t.Fatalf("the base configuration %v gets diagnostics:%s", b.base, describe(diags))
			}
		})
	}
}

// TestBadInputs checks that each bad input gets at least one error, and that every diagnostic it gets is on the
// expected attribute and says the expected thing.
func TestBadInputs(t *testing.T) {
	seen := map[string]bool{}
	perBlock := map[string]int{}
	for _, c := range badInputs {
		id := c.block.name + ": " + c.name
		if seen[id] {
			t.Fatalf("two cases named %q", id)
		}
		seen[id] = true
		perBlock[c.block.name]++
		t.Run(id, func(t *testing.T) {
			diags := validate(t, c.block, c.set)
			errors := 0
			for _, d := range diags {
				if d.Severity == tfprotov6.DiagnosticSeverityError {
					errors++
				}
				pathOK := c.path == nil && d.Attribute == nil || c.path != nil && c.path.Equal(d.Attribute)
				if !pathOK || !strings.Contains(d.Summary+"\n"+d.Detail, c.want) {
					t.Errorf("want every diagnostic at %v containing %q, got:%s", c.path, c.want, describe(diags))
					break
				}
			}
			if errors == 0 {
				t.Errorf("no error for %v:%s", c.set, describe(diags))
			}
		})
	}
	for _, b := range blocks {
		if perBlock[b.name] == 0 {
			t.Errorf("no bad input for %s %s", b.kind, b.name)
		}
	}
	if len(badInputs) < 40 {
		t.Errorf("%d bad inputs, want at least 40", len(badInputs))
	}
	t.Logf("%d bad inputs: %v", len(badInputs), perBlock)
}
