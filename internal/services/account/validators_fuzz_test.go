package account

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// validateString runs v on value the way the framework does and returns whether it passed and the diagnostics'
// text.
func validateString(v validator.String, value string) (bool, string) {
	var resp validator.StringResponse
	v.ValidateString(context.Background(), validator.StringRequest{
		Path: path.Root("attr"), ConfigValue: types.StringValue(value),
	}, &resp)
	var text strings.Builder
	for _, d := range resp.Diagnostics {
		text.WriteString(d.Summary() + "\n" + d.Detail() + "\n")
	}
	return !resp.Diagnostics.HasError(), text.String()
}

// consistent fails t unless v gives value the same answer twice, with the same message, and a rejection names
// the attribute.
func consistent(t *testing.T, v validator.String, value string) bool {
	t.Helper()
	ok, msg := validateString(v, value)
	ok2, msg2 := validateString(v, value)
	if ok != ok2 || msg != msg2 {
		t.Fatalf("%q: two answers: %t %q, then %t %q", value, ok, msg, ok2, msg2)
	}
	if !ok && !strings.Contains(msg, "attr") {
		t.Fatalf("%q: the error does not name the attribute: %s", value, msg)
	}
	return ok
}

// FuzzUserPrincipalName: the UPN rule never panics, is deterministic, is case-insensitive for the values it accepts
// (Entra and the alert's KQL compare UPNs ignoring case), and what it accepts really has Entra's shape.
func FuzzUserPrincipalName(f *testing.F) {
	for _, s := range []string{"ops-7k2m@contoso.onmicrosoft.com", "o'brien@contoso.com", "", "@", "a@b", "a@@b.com",
		".a@b.com", "a.@b.com", "a..b@b.com", "a b@b.com", "é@b.com", "a@b.123", "a@-b.com", "a@b.com.",
		strings.Repeat("a", 65) + "@b.com", "a@" + strings.Repeat("b", 46) + ".com", "\u212a@b.com", "a@\u212a.com"} {
		f.Add(s)
	}
	v := UserPrincipalName()
	f.Fuzz(func(t *testing.T, upn string) {
		if !consistent(t, v, upn) {
			return
		}
		for _, variant := range []string{strings.ToLower(upn), strings.ToUpper(upn)} {
			if !consistent(t, v, variant) {
				t.Fatalf("accepts %q but not %q", upn, variant)
			}
		}
		local, domain, _ := strings.Cut(upn, "@")
		if local == "" || len(local) > maxUPNLocalPartLength || len(domain) > maxUPNDomainLength ||
			strings.Count(upn, "@") != 1 || !strings.Contains(domain, ".") || strings.Trim(upn, "@.-_!#^~'"+
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
			t.Fatalf("accepts %q, which is not local@domain.tld of Entra's characters within its lengths", upn)
		}
	})
}

// FuzzMailNickname: deterministic, case-insensitive for accepted values, and accepted values are 1 to 64 printable
// ASCII characters outside the forbidden set.
func FuzzMailNickname(f *testing.F) {
	for _, s := range []string{"ops7k2m", "", " ", "a b", "a@b", "a(b", `a\b`, "é", "\x00", "\x7f", strings.Repeat("x", 64),
		strings.Repeat("x", 65), "~!#$%^&*-_=+{}|'?/`."} {
		f.Add(s)
	}
	v := MailNickname()
	f.Fuzz(func(t *testing.T, nickname string) {
		if !consistent(t, v, nickname) {
			return
		}
		for _, variant := range []string{strings.ToLower(nickname), strings.ToUpper(nickname)} {
			if !consistent(t, v, variant) {
				t.Fatalf("accepts %q but not %q", nickname, variant)
			}
		}
		if len(nickname) < 1 || len(nickname) > maxMailNicknameLength || strings.ContainsAny(nickname, mailNicknameForbidden+" ") {
			t.Fatalf("accepts %q", nickname)
		}
		for _, r := range nickname {
			if r < '!' || r > '~' {
				t.Fatalf("accepts %q, which has %q", nickname, r)
			}
		}
	})
}

// FuzzCertificateUserID: deterministic; accepted values start with X509: and a known tag, fit in 1024 characters
// and carry no outer white space (Entra compares them exactly).
func FuzzCertificateUserID(f *testing.F) {
	for _, s := range []string{"X509:<PN>user@contoso.com", "X509:<RFC822>user@contoso.com", "X509:<S>CN=x", "X509:<SKI>0a1b",
		"X509:<SHA1-PUKEY>" + strings.Repeat("ab", 20), "X509:<I>DC=com<SR>0a", "X509:<I>DC=com<S>CN=x", "x509:<PN>a",
		"X509:<pn>a", "X509:<SKI>abc", "X509:<SKI>", "X509:<I>", " X509:<PN>a", "X509:<PN>" + strings.Repeat("a", 1020), ""} {
		f.Add(s)
	}
	v := CertificateUserID()
	f.Fuzz(func(t *testing.T, id string) {
		if !consistent(t, v, id) {
			return
		}
		known := false
		for _, m := range certificateMappings {
			known = known || strings.HasPrefix(id, certificateUserIDPrefix+m.tag)
		}
		if !known || len(id) > maxCertificateUserIDLength || strings.TrimSpace(id) != id {
			t.Fatalf("accepts %q", id)
		}
	})
}

// FuzzNeutralNameWarning: the warning depends on the name alone and ignores case, since directory searches do.
func FuzzNeutralNameWarning(f *testing.F) {
	for _, s := range []string{"ops-7k2m", "admin", "BreakGlass", "break.glass", "EMERGENCY-01", "bg-01", "x\u212ag"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		msg, warn := NeutralNameWarning(name)
		if warn != (msg != "") {
			t.Fatalf("%q: warning %t with message %q", name, warn, msg)
		}
		if !isASCII(name) {
			return // (?i) also folds a few non-ASCII letters such as the Kelvin sign, which ToUpper leaves alone
		}
		for _, variant := range []string{strings.ToUpper(name), strings.ToLower(name)} {
			if _, w := NeutralNameWarning(variant); w != warn {
				t.Fatalf("%q warns %t, but %q %t", name, warn, variant, w)
			}
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
