package account

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// stringRule is a validator.String built from a check that explains what is wrong and how to fix it. Null and
// unknown values pass: Required and the plan-time value take care of those.
type stringRule struct {
	description string
	summary     string
	// check returns "" for a valid value, else what is wrong and how to fix it.
	check func(value string) string
}

var _ validator.String = stringRule{}

func (r stringRule) Description(context.Context) string         { return r.description }
func (r stringRule) MarkdownDescription(context.Context) string { return r.description }

func (r stringRule) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	value := req.ConfigValue.ValueString()
	problem := r.check(value)
	if problem == "" {
		return
	}
	resp.Diagnostics.AddAttributeError(req.Path, r.summary,
		fmt.Sprintf("Attribute %s value %q is not valid: %s", req.Path, value, problem))
}

// UserPrincipalName checks Entra's user principal name rules from "Password policies and account restrictions
// in Microsoft Entra ID", section Username policies
// (https://learn.microsoft.com/en-us/entra/identity/authentication/concept-sspr-policy#username-policies):
// local@domain, the local part up to 64 of A–Z a–z 0–9 ' . - _ ! # ^ ~ and no "." right before the "@", the
// domain up to 48 characters (so 113 in all). Whether the tenant owns the domain is checked against /domains later.
func UserPrincipalName() validator.String {
	return stringRule{
		description: "must be a user principal name, `local@domain`, that Microsoft Entra ID accepts",
		summary:     "Invalid user principal name",
		check:       userPrincipalNameProblem,
	}
}

const (
	upnLocalPartCharacters = "A-Z a-z 0-9 ' . - _ ! # ^ ~"
	maxUPNLocalPartLength  = 64
	maxUPNDomainLength     = 48
)

func userPrincipalNameProblem(upn string) string {
	local, domain, found := strings.Cut(upn, "@")
	switch {
	case !found:
		return `it needs the form local@domain, for example "ops-7k2m@contoso.onmicrosoft.com"`
	case strings.Contains(domain, "@"):
		return fmt.Sprintf(`it has %d "@" characters: use exactly one, between the user name and the domain`,
			strings.Count(upn, "@"))
	case local == "":
		return `the user name before "@" is empty: add one, for example "ops-7k2m@contoso.onmicrosoft.com"`
	}
	for _, r := range local {
		if !isUPNLocalPartCharacter(r) {
			return fmt.Sprintf(`the user name before "@" contains %q, which Entra does not accept: use only %s`,
				r, upnLocalPartCharacters)
		}
	}
	switch {
	case len(local) > maxUPNLocalPartLength:
		return fmt.Sprintf(`the user name before "@" is %d characters long: shorten it to %d at most`,
			len(local), maxUPNLocalPartLength)
	case strings.HasPrefix(local, "."), strings.HasSuffix(local, "."):
		return `the user name before "@" starts or ends with ".": remove that dot`
	case strings.Contains(local, ".."):
		return `the user name before "@" has two dots in a row: remove one`
	case len(domain) > maxUPNDomainLength:
		return fmt.Sprintf(`the domain after "@" is %d characters long and Entra allows %d: use a shorter domain `+
			`of the tenant, such as its initial *.onmicrosoft.com domain`, len(domain), maxUPNDomainLength)
	}
	if problem := dnsNameProblem(domain); problem != "" {
		return fmt.Sprintf(`the domain after "@" %s`, problem)
	}
	return ""
}

// importIDProblem checks an import id before it becomes a URL path segment: an object id (GUID) or a user
// principal name. Anything else, ".." included, would address another path than /users/{id}.
func importIDProblem(id string) string {
	if uuid.Validate(id) == nil {
		return ""
	}
	if problem := userPrincipalNameProblem(id); problem != "" {
		return "as a user principal name, " + problem
	}
	return ""
}

func isUPNLocalPartCharacter(r rune) bool {
	return isASCIILetterOrDigit(r) || strings.ContainsRune("'.-_!#^~", r)
}

func isASCIILetterOrDigit(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

var dnsLabel = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)

// dnsNameProblem checks that name is a fully qualified DNS name, as a domain verified in Entra must be.
func dnsNameProblem(name string) string {
	if strings.HasSuffix(name, ".") {
		return `ends with ".": remove the trailing dot`
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return "is not a fully qualified domain name: use one of the tenant's domains, such as contoso.onmicrosoft.com"
	}
	for _, label := range labels {
		if !dnsLabel.MatchString(label) {
			return fmt.Sprintf("has the label %q, which is not a DNS label: use 1 to 63 letters, digits and "+
				"hyphens, not starting or ending with a hyphen", label)
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "ends in a numeric label, so it is not a domain name: use one of the tenant's domains"
	}
	return ""
}

// MailNickname checks a user's mail alias: at most 64 characters (Graph user resource,
// https://learn.microsoft.com/en-us/graph/api/resources/user) of printable ASCII without
// @ ( ) \ [ ] " ; : < > , or space (the character rule Graph documents for mailNickname,
// https://learn.microsoft.com/en-us/graph/api/resources/group).
func MailNickname() validator.String {
	return stringRule{
		description: "must be 1 to 64 printable ASCII characters without spaces or any of `@ ( ) \\ [ ] \" ; : < > ,`",
		summary:     "Invalid mail nickname",
		check:       mailNicknameProblem,
	}
}

const (
	maxMailNicknameLength   = 64
	mailNicknameForbidden   = `@()\[]";:<>,`
	mailNicknameCharsAdvice = `use ASCII letters, digits and symbols other than @ ( ) \ [ ] " ; : < > ,`
)

func mailNicknameProblem(nickname string) string {
	if nickname == "" {
		return "it is empty: " + mailNicknameCharsAdvice
	}
	for _, r := range nickname {
		switch {
		case r == ' ':
			return "it contains a space: remove it, or use - or _ instead"
		case r > '~' || r < '!':
			return fmt.Sprintf("it contains %q, which is not printable ASCII: %s", r, mailNicknameCharsAdvice)
		case strings.ContainsRune(mailNicknameForbidden, r):
			return fmt.Sprintf("it contains %q: %s", r, mailNicknameCharsAdvice)
		}
	}
	if len(nickname) > maxMailNicknameLength {
		return fmt.Sprintf("it is %d characters long: shorten it to %d at most", len(nickname), maxMailNicknameLength)
	}
	return ""
}

// CertificateUserID checks one authorizationInfo.certificateUserIds value against the patterns in "Mapping to
// the certificateUserIds attribute in Microsoft Entra ID"
// (https://learn.microsoft.com/en-us/entra/identity/authentication/concept-certificate-based-authentication-certificateuserids):
// X509:<PN>, <RFC822>, <S>, <I>…<S>…, <I>…<SR>…, <SKI> and <SHA1-PUKEY>, with case-sensitive prefixes and at
// most 1024 characters. Use it on set elements; the attribute holds at most 10 values.
func CertificateUserID() validator.String {
	return stringRule{
		description: "must be a certificate user ID such as `X509:<PN>user@contoso.com`, `X509:<SKI>hex` or " +
			"`X509:<I>issuer DN<SR>hex serial number`",
		summary: "Invalid certificate user ID",
		check:   certificateUserIDProblem,
	}
}

const (
	certificateUserIDPrefix    = "X509:"
	maxCertificateUserIDLength = 1024
	sha1HexLength              = 40
	certificateUserIDForms     = "X509:<PN>principal name, X509:<RFC822>email address, X509:<S>subject DN, " +
		"X509:<I>issuer DN<S>subject DN, X509:<I>issuer DN<SR>serial number in hex, X509:<SKI>subject key " +
		"identifier in hex, X509:<SHA1-PUKEY>SHA-1 hash of the public key in hex"
)

// certificateMappings are the mapping tags after "X509:", each with a check of what follows it.
var certificateMappings = []struct {
	tag   string
	check func(rest string) string
}{
	{"<PN>", func(rest string) string { return nonEmpty(rest, "the principal name (the certificate's UPN)") }},
	{"<RFC822>", rfc822NameProblem},
	{"<SKI>", func(rest string) string { return hexProblem(rest, "the subject key identifier", 0) }},
	{"<SHA1-PUKEY>", func(rest string) string { return hexProblem(rest, "the SHA-1 hash of the public key", sha1HexLength) }},
	{"<S>", func(rest string) string { return nonEmpty(rest, "the subject distinguished name") }},
	{"<I>", issuerMappingProblem},
}

func certificateUserIDProblem(id string) string {
	if len(id) > maxCertificateUserIDLength {
		return fmt.Sprintf("it is %d characters long and Entra allows %d: use a shorter mapping such as X509:<SKI>",
			len(id), maxCertificateUserIDLength)
	}
	if strings.TrimSpace(id) != id {
		return "it starts or ends with white space: remove it, since Entra compares the value exactly"
	}
	rest, found := strings.CutPrefix(id, certificateUserIDPrefix)
	if !found {
		if strings.HasPrefix(strings.ToUpper(id), certificateUserIDPrefix) {
			return `the prefix is case-sensitive: write "X509:" in capitals`
		}
		return "it must start with X509: and a mapping tag, in one of these forms: " + certificateUserIDForms
	}
	for _, mapping := range certificateMappings {
		if value, ok := strings.CutPrefix(rest, mapping.tag); ok {
			return mapping.check(value)
		}
	}
	for _, mapping := range certificateMappings {
		if strings.HasPrefix(strings.ToUpper(rest), mapping.tag) {
			return fmt.Sprintf("mapping tags are case-sensitive: write %s%s", certificateUserIDPrefix, mapping.tag)
		}
	}
	return "the mapping tag after X509: is not one Entra supports; use one of these forms: " + certificateUserIDForms
}

func issuerMappingProblem(rest string) string {
	if issuer, serial, ok := strings.Cut(rest, "<SR>"); ok {
		if problem := nonEmpty(issuer, "the issuer distinguished name before <SR>"); problem != "" {
			return problem
		}
		return hexProblem(serial, "the serial number after <SR>", 0)
	}
	if issuer, subject, ok := strings.Cut(rest, "<S>"); ok {
		if problem := nonEmpty(issuer, "the issuer distinguished name before <S>"); problem != "" {
			return problem
		}
		return nonEmpty(subject, "the subject distinguished name after <S>")
	}
	return "X509:<I> must be followed by the issuer distinguished name and then <S>subject DN or <SR>serial " +
		"number, for example X509:<I>DC=com,DC=contoso,CN=CONTOSO-DC-CA<SR>b24134139f069b49997212a86ba0ef48"
}

func rfc822NameProblem(address string) string {
	local, domain, found := strings.Cut(address, "@")
	if !found || local == "" || domain == "" || strings.Contains(domain, "@") {
		return "X509:<RFC822> must be followed by the email address in the certificate, for example " +
			"X509:<RFC822>user@contoso.com"
	}
	return ""
}

func nonEmpty(value, what string) string {
	if value == "" {
		return what + " is missing: add it after the tag"
	}
	return ""
}

var hexDigits = regexp.MustCompile(`^[0-9A-Fa-f]+$`)

// hexProblem checks a value the certificate holds as bytes, written in hex; wantLength is 0 when any whole number
// of bytes will do.
func hexProblem(value, what string, wantLength int) string {
	switch {
	case !hexDigits.MatchString(value):
		return what + " must be hexadecimal digits only (0-9, a-f), without spaces or colons"
	case wantLength > 0 && len(value) != wantLength:
		return fmt.Sprintf("%s must be %d hexadecimal digits, got %d", what, wantLength, len(value))
	case len(value)%2 != 0:
		return fmt.Sprintf("%s has an odd number of hexadecimal digits (%d): it is a whole number of bytes, so "+
			"check that no digit is missing", what, len(value))
	}
	return ""
}

// revealingNameParts are words that mark an account as privileged or as the emergency way in.
var revealingNameParts = regexp.MustCompile(`(?i)admin|break[ ._-]?glass|emergency|bg-`)

// NeutralNameWarning returns a warning when name (a display name, user principal name or mail nickname) says
// what the account is for. Attackers search directories for such names to pick the accounts worth attacking,
// so emergency access guidance recommends neutral names; this is advice, so the resource reports a warning.
func NeutralNameWarning(name string) (string, bool) {
	part := revealingNameParts.FindString(name)
	if part == "" {
		return "", false
	}
	return fmt.Sprintf("%q contains %q, which tells anyone reading the directory that this is an "+
		"administrative or emergency access account. Emergency access accounts should have names that do not "+
		"reveal their purpose, since attackers look for such names to choose which accounts to attack. Consider "+
		"a neutral name; the account's purpose belongs in your documentation and in this configuration.",
		name, part), true
}
