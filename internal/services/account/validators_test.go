package account

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// validatorCase is a value and, if it is invalid, substrings the diagnostic's detail must contain.
type validatorCase struct {
	value types.String
	want  []string
}

func valid(value string) validatorCase { return validatorCase{value: types.StringValue(value)} }

func invalid(value string, want ...string) validatorCase {
	return validatorCase{value: types.StringValue(value), want: want}
}

func runValidatorCases(t *testing.T, v validator.String, attribute path.Path, summary string, cases map[string]validatorCase) {
	t.Helper()
	if v.Description(context.Background()) == "" || v.MarkdownDescription(context.Background()) == "" {
		t.Error("the validator has no description")
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resp := &validator.StringResponse{}
			v.ValidateString(context.Background(), validator.StringRequest{Path: attribute, ConfigValue: tc.value}, resp)

			if len(tc.want) == 0 {
				if resp.Diagnostics.HasError() {
					t.Fatalf("unexpected diagnostics: %v", resp.Diagnostics)
				}
				return
			}
			if got := resp.Diagnostics.ErrorsCount(); got != 1 {
				t.Fatalf("got %d errors, want 1: %v", got, resp.Diagnostics)
			}
			diag := resp.Diagnostics.Errors()[0]
			if diag.Summary() != summary {
				t.Errorf("summary = %q, want %q", diag.Summary(), summary)
			}
			if !strings.Contains(diag.Detail(), attribute.String()) {
				t.Errorf("detail %q does not name the attribute %s", diag.Detail(), attribute)
			}
			for _, want := range tc.want {
				if !strings.Contains(diag.Detail(), want) {
					t.Errorf("detail %q does not contain %q", diag.Detail(), want)
				}
			}
		})
	}
}

func TestValidateUserPrincipalName(t *testing.T) {
	t.Parallel()
	local64 := strings.Repeat("a", 64)
	domain48 := strings.Repeat("d", 48-len(".onmicrosoft.com")) + ".onmicrosoft.com"
	runValidatorCases(t, UserPrincipalName(), path.Root("user_principal_name"), "Invalid user principal name", map[string]validatorCase{
		"null":                       {value: types.StringNull()},
		"unknown":                    {value: types.StringUnknown()},
		"initial domain":             valid("ops-7k2m@contoso.onmicrosoft.com"),
		"every allowed character":    valid("Az09'.-_!#^~x@contoso.com"),
		"maximum lengths":            valid(local64 + "@" + domain48),
		"sub-domain with hyphen":     valid("a@eu-west.contoso-corp.co.uk"),
		"no at sign":                 invalid("ops.contoso.com", "local@domain"),
		"two at signs":               invalid("ops@x@contoso.com", `2 "@" characters`, "exactly one"),
		"empty local part":           invalid("@contoso.com", `before "@" is empty`),
		"local part too long":        invalid(local64+"a@contoso.com", "65 characters long", "64 at most"),
		"space":                      invalid("first last@contoso.com", `contains ' '`, "A-Z a-z 0-9"),
		"plus sign":                  invalid("ops+1@contoso.com", `contains '+'`),
		"accented letter":            invalid("josé@contoso.com", `contains 'é'`),
		"dot before at":              invalid("ops.@contoso.com", `ends with "."`),
		"leading dot":                invalid(".ops@contoso.com", `starts or ends with "."`),
		"consecutive dots":           invalid("o..ps@contoso.com", "two dots in a row"),
		"domain too long":            invalid("ops@"+domain48[:1]+domain48, "49 characters long", "allows 48"),
		"domain without dot":         invalid("ops@contoso", "not a fully qualified domain name"),
		"empty domain":               invalid("ops@", "not a fully qualified domain name"),
		"domain trailing dot":        invalid("ops@contoso.com.", "remove the trailing dot"),
		"domain empty label":         invalid("ops@contoso..com", `label ""`),
		"domain label hyphen":        invalid("ops@-contoso.com", `label "-contoso"`),
		"domain underscore":          invalid("ops@con_toso.com", `label "con_toso"`),
		"domain numeric top label":   invalid("ops@10.0.0.1", "numeric label"),
		"domain non-ASCII character": invalid("ops@contosö.com", `label "contosö"`),
	})
}

func TestValidateMailNickname(t *testing.T) {
	t.Parallel()
	runValidatorCases(t, MailNickname(), path.Root("mail_nickname"), "Invalid mail nickname", map[string]validatorCase{
		"null":                    {value: types.StringNull()},
		"unknown":                 {value: types.StringUnknown()},
		"simple":                  valid("ops-7k2m"),
		"maximum length":          valid(strings.Repeat("n", 64)),
		"allowed symbols":         valid("a.b_c-d!#$%&'*+/=?^`{|}~"),
		"empty":                   invalid("", "it is empty"),
		"too long":                invalid(strings.Repeat("n", 65), "65 characters long", "64 at most"),
		"space":                   invalid("ops team", "contains a space"),
		"at sign":                 invalid("ops@contoso", `contains '@'`, "other than @ ( ) \\ [ ] \" ; : < > ,"),
		"parenthesis":             invalid("ops(1)", `contains '('`),
		"backslash":               invalid(`ops\1`, `contains '\\'`),
		"square bracket":          invalid("ops[1]", `contains '['`),
		"double quote":            invalid(`ops"1`, `contains '"'`),
		"semicolon":               invalid("ops;1", `contains ';'`),
		"colon":                   invalid("ops:1", `contains ':'`),
		"angle bracket":           invalid("ops<1>", `contains '<'`),
		"comma":                   invalid("ops,1", `contains ','`),
		"non-ASCII":               invalid("opsé", `contains 'é'`, "not printable ASCII"),
		"control character":       invalid("ops\t1", `contains '\t'`, "not printable ASCII"),
		"delete character":        invalid("ops\x7f", `not printable ASCII`),
		"non-ASCII before length": invalid(strings.Repeat("é", 40), "not printable ASCII"),
	})
}

func TestValidateCertificateUserID(t *testing.T) {
	t.Parallel()
	element := path.Root("certificate_user_ids").AtSetValue(types.StringValue("X509:<PN>x"))
	sha1 := "34BE02DCEE9ECDF8BC5C16595A73F1B201875FEA"
	runValidatorCases(t, CertificateUserID(), element, "Invalid certificate user ID", map[string]validatorCase{
		"null":                          {value: types.StringNull()},
		"principal name":                valid("X509:<PN>bob@woodgrove.com"),
		"nonroutable principal name":    valid("X509:<PN>bob@woodgrove"),
		"RFC822 name":                   valid("X509:<RFC822>user@woodgrove.com"),
		"issuer and subject":            valid("X509:<I>DC=com,DC=contoso,CN=CONTOSO-DC-CA<S>DC=com,DC=contoso,OU=UserAccounts,CN=mfatest"),
		"subject":                       valid("X509:<S>DC=com,DC=contoso,OU=UserAccounts,CN=mfatest"),
		"subject key identifier":        valid("X509:<SKI>eec6b88788d2770a01e01775ce71f1125cd6ad0f"),
		"SHA-1 public key":              valid("X509:<SHA1-PUKEY>" + sha1),
		"issuer and serial number":      valid("X509:<I>DC=com,DC=contoso,CN=CONTOSO-DC-CA<SR>b24134139f069b49997212a86ba0ef48"),
		"maximum length":                valid("X509:<S>CN=" + strings.Repeat("x", 1024-len("X509:<S>CN="))),
		"too long":                      invalid("X509:<S>CN="+strings.Repeat("x", 1024), "1035 characters long", "allows 1024"),
		"no prefix":                     invalid("bob@woodgrove.com", "must start with X509:", "X509:<PN>principal name"),
		"lowercase prefix":              invalid("x509:<PN>bob@woodgrove.com", `write "X509:" in capitals`),
		"lowercase tag":                 invalid("X509:<pn>bob@woodgrove.com", "tags are case-sensitive", "X509:<PN>"),
		"lowercase SHA1 tag":            invalid("X509:<sha1-pukey>"+sha1, "X509:<SHA1-PUKEY>"),
		"unknown tag":                   invalid("X509:<UPN>bob@woodgrove.com", "not one Entra supports"),
		"empty principal name":          invalid("X509:<PN>", "principal name", "is missing"),
		"RFC822 without at":             invalid("X509:<RFC822>woodgrove.com", "email address"),
		"empty subject":                 invalid("X509:<S>", "subject distinguished name is missing"),
		"SKI with colons":               invalid("X509:<SKI>ee:c6:b8", "hexadecimal digits only"),
		"SKI odd length":                invalid("X509:<SKI>123456789abcdef", "odd number of hexadecimal digits (15)"),
		"SKI documentation placeholder": invalid("X509:<SKI>aB1cD2eF3gH4iJ5kL6mN7oP8qR", "hexadecimal digits only"),
		"SHA-1 too short":               invalid("X509:<SHA1-PUKEY>123456789abcdef0", "must be 40 hexadecimal digits, got 16"),
		"issuer without subject":        invalid("X509:<I>CN=CONTOSO-DC-CA", "<S>subject DN or <SR>serial"),
		"issuer empty before subject":   invalid("X509:<I><S>CN=mfatest", "issuer distinguished name before <S> is missing"),
		"issuer, empty subject":         invalid("X509:<I>CN=CA<S>", "subject distinguished name after <S> is missing"),
		"issuer empty before serial":    invalid("X509:<I><SR>b241", "issuer distinguished name before <SR> is missing"),
		"serial not hex":                invalid("X509:<I>CN=CA<SR>xyz", "serial number after <SR> must be hexadecimal"),
		"leading space":                 invalid(" X509:<PN>bob@woodgrove.com", "white space"),
		"trailing newline":              invalid("X509:<PN>bob@woodgrove.com\n", "white space"),
	})
}

func TestValidateNeutralNameWarning(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		want string // the revealing part quoted in the warning; "" means no warning
	}{
		{name: "Contoso Operations 2"},
		{name: "ops-7k2m@contoso.onmicrosoft.com"},
		{name: "bg2"}, // "bg-" only with the hyphen
		{name: "glass-breaker"},
		{name: "Global Admin 1", want: "Admin"},
		{name: "sysadmin@contoso.onmicrosoft.com", want: "admin"},
		{name: "BreakGlass01", want: "BreakGlass"},
		{name: "break-glass-1", want: "break-glass"},
		{name: "Break Glass", want: "Break Glass"},
		{name: "break_glass", want: "break_glass"},
		{name: "EMERGENCY access", want: "EMERGENCY"},
		{name: "BG-01", want: "BG-"},
	} {
		message, found := NeutralNameWarning(tc.name)
		if found != (tc.want != "") {
			t.Errorf("NeutralNameWarning(%q) found = %v, want %v", tc.name, found, tc.want != "")
			continue
		}
		if !found {
			if message != "" {
				t.Errorf("NeutralNameWarning(%q) returned a message without a finding", tc.name)
			}
			continue
		}
		for _, want := range []string{`"` + tc.name + `"`, `"` + tc.want + `"`, "do not reveal their purpose"} {
			if !strings.Contains(message, want) {
				t.Errorf("NeutralNameWarning(%q) = %q, want it to contain %q", tc.name, message, want)
			}
		}
	}
}

func TestImportIDProblem(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]string{
		"9f4c2a1e-3b5d-4e6f-8a7b-0c1d2e3f4a5b":    "",
		"9F4C2A1E-3B5D-4E6F-8A7B-0C1D2E3F4A5B":    "",
		"ops-7k2m@contoso.onmicrosoft.com":        "",
		"..":                                      "local@domain",
		".":                                       "local@domain",
		"../../servicePrincipals":                 "local@domain",
		"ops@contoso.onmicrosoft.com/../..":       "trailing dot",
		"9f4c2a1e-3b5d-4e6f-8a7b-0c1d2e3f4a5b/..": "local@domain",
		"": "local@domain",
	} {
		got := importIDProblem(id)
		if want == "" && got != "" || want != "" && !strings.Contains(got, want) {
			t.Errorf("importIDProblem(%q) = %q, want %q", id, got, want)
		}
	}
}
