package alert

import (
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// kustoLiteralMarker stands for every string literal in a query's skeleton.
const kustoLiteralMarker = `"…"`

// kustoSkeleton splits a query into its structure and its string literals, following Kusto's lexical rules for
// string literals ("…" and '…' with backslash escapes and no line break inside, verbatim @"…" and @'…' with the
// quote doubled) and // comments: the skeleton is the query with each literal replaced by kustoLiteralMarker, and
// literals are their decoded values in order. An error means the text is not well-formed: an unterminated literal,
// a raw line break inside one, or an escape Kusto does not define.
func kustoSkeleton(query string) (skeleton string, literals []string, err error) {
	var b strings.Builder
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '/' && strings.HasPrefix(query[i:], "//"):
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i
			}
			b.WriteString(query[i : i+end])
			i += end
		case c == '@' && i+1 < len(query) && (query[i+1] == '"' || query[i+1] == '\''):
			value, n, err := verbatimLiteral(query[i+1:])
			if err != nil {
				return "", nil, fmt.Errorf("at byte %d: %w", i, err)
			}
			literals = append(literals, value)
			b.WriteString(kustoLiteralMarker)
			i += 1 + n
		case c == '"' || c == '\'':
			value, n, err := escapedLiteral(query[i:])
			if err != nil {
				return "", nil, fmt.Errorf("at byte %d: %w", i, err)
			}
			literals = append(literals, value)
			b.WriteString(kustoLiteralMarker)
			i += n
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), literals, nil
}

// escapedLiteral decodes the "…" or '…' literal at the start of s and returns its value and length in bytes.
func escapedLiteral(s string) (string, int, error) {
	quote := s[0]
	var v strings.Builder
	for i := 1; i < len(s); {
		c := s[i]
		switch {
		case c == quote:
			return v.String(), i + 1, nil
		case c == '\n' || c == '\r':
			return "", 0, errors.New("line break inside a string literal")
		case c != '\\':
			v.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return "", 0, errors.New("unterminated escape")
		}
		switch e := s[i+1]; e {
		case '\\', '"', '\'':
			v.WriteByte(e)
		case 'n':
			v.WriteByte('\n')
		case 'r':
			v.WriteByte('\r')
		case 't':
			v.WriteByte('\t')
		case 'u':
			if i+6 > len(s) {
				return "", 0, errors.New(`short \u escape`)
			}
			r, err := strconv.ParseUint(s[i+2:i+6], 16, 16)
			if err != nil {
				return "", 0, fmt.Errorf(`bad \u escape %q`, s[i:i+6])
			}
			v.WriteRune(rune(r))
			i += 6
			continue
		default:
			return "", 0, fmt.Errorf(`escape \%c is not one Kusto defines`, e)
		}
		i += 2
	}
	return "", 0, errors.New("unterminated string literal")
}

// verbatimLiteral decodes the verbatim literal whose opening quote starts s (after the @).
func verbatimLiteral(s string) (string, int, error) {
	quote := s[0]
	var v strings.Builder
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == quote && i+1 < len(s) && s[i+1] == quote:
			v.WriteByte(quote)
			i++
		case s[i] == quote:
			return v.String(), i + 1, nil
		case s[i] == '\n':
			return "", 0, errors.New("line break inside a verbatim literal")
		default:
			v.WriteByte(s[i])
		}
	}
	return "", 0, errors.New("unterminated verbatim literal")
}

// TestKustoSkeletonCatchesBrokenEscaping shows the structural check can fail: a UPN pasted in without escaping
// changes the skeleton or does not tokenize at all.
func TestKustoSkeletonCatchesBrokenEscaping(t *testing.T) {
	naive := func(upn string) string { return `UserPrincipalName in~ ("` + upn + `")` }
	want, _, err := kustoSkeleton(naive("x@contoso.com"))
	if err != nil {
		t.Fatal(err)
	}
	for _, upn := range []string{`x") or true //`, "x\"\n| take 1 //", `x\`, `x\" or "a`, `a" | take 1 | extend b="`} {
		got, _, err := kustoSkeleton(naive(upn))
		if err == nil && got == want {
			t.Errorf("%q pasted unescaped keeps the skeleton %q", upn, got)
		}
		if got, _, err := kustoSkeleton(`UserPrincipalName in~ (` + kqlString(upn) + `)`); err != nil || got != want {
			t.Errorf("%q escaped: skeleton %q, %v; want %q", upn, got, err, want)
		}
	}
}

// FuzzKQLQueries fuzzes one account's UPN and object id next to a fixed account, and the sign-in filter (the id
// is also a protection's in a third query): the queries must tokenize, have exactly the skeleton of the same queries built with placeholder values (so no input
// adds, removes or moves an operator, a line or a comment), and carry the account's values, in lower case, as
// whole literals.
func FuzzKQLQueries(f *testing.F) {
	for _, upn := range []string{"BreakGlass01@Contoso.onmicrosoft.com", "o'brien@contoso.com", `x") or true //`, "a\\", "a\nb\rc\td",
		"\"", "'", "@\"x\"", "x\u2028y\u2029z", "x\u0085y", "\x00\x1f\x7f", "\xff\xfe", "ünïcødé@bücher.example", "👍@🙂.com",
		"// comment", "x | take 1", "\\u0022", "", "FIXED@contoso.com"} {
		f.Add(upn, "3f2504e0-4f89-41d3-9a0c-0305e82c3301", SignInAny, true)
	}
	f.Add("a@b.com", "", SignInFailure, false)
	f.Add("a@b.com", `"x"`, SignInSuccess, true)
	f.Add("a@b.com", "9B1DEB4D-3B7D-4BAD-9BDD-2B0D7B3DCB6D", "bogus", false)
	f.Fuzz(func(t *testing.T, upn, objectID, result string, nonInteractive bool) {
		fixed := Account{ObjectID: "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", UserPrincipalName: "fixed@contoso.com"}
		// placeholder keeps the relations that shape the query (empty, equal to the fixed account's value ignoring
		// case) and drops the characters.
		placeholder := func(value, fixedValue, stand string) string {
			switch strings.ToLower(value) {
			case "":
				return ""
			case fixedValue:
				return fixedValue
			}
			return stand
		}
		fuzzed := []Account{{ObjectID: objectID, UserPrincipalName: upn}, fixed}
		plain := []Account{{
			ObjectID:          placeholder(objectID, fixed.ObjectID, "00000000-0000-4000-8000-000000000000"),
			UserPrincipalName: placeholder(upn, fixed.UserPrincipalName, "placeholder@contoso.com"),
		}, fixed}
		// The object id also stands for an exclusion group and a restricted unit, which the change query looks for
		// in the same text.
		protections := func(id string) Protections {
			return Protections{ConditionalAccess: true, ExclusionGroupIDs: []string{id}, AuthenticationMethodsPolicy: true, RestrictedUnitIDs: []string{id}}
		}
		queries := []struct{ name, got, want string }{
			{"sign-in", SignInQuery(fuzzed, result, nonInteractive), SignInQuery(plain, result, nonInteractive)},
			{"change", ChangeQuery(fuzzed, Protections{}), ChangeQuery(plain, Protections{})},
			{"change with protections", ChangeQuery(fuzzed, protections(objectID)), ChangeQuery(plain, protections(plain[0].ObjectID))},
		}
		for _, q := range queries {
			if !utf8.ValidString(q.got) {
				t.Fatalf("%s query is not valid UTF-8:\n%s", q.name, q.got)
			}
			got, literals, err := kustoSkeleton(q.got)
			if err != nil {
				t.Fatalf("%s query does not tokenize: %v\n%s", q.name, err, q.got)
			}
			want, _, err := kustoSkeleton(q.want)
			if err != nil {
				t.Fatalf("%s placeholder query does not tokenize: %v", q.name, err)
			}
			if got != want {
				t.Fatalf("UPN %q, object id %q change the %s query's structure:\n%s\nwant\n%s", upn, objectID, q.name, got, want)
			}
			for _, value := range []string{upn, objectID} {
				// The queries compare in lower case; invalid UTF-8 comes out as U+FFFD, one per bad byte.
				lower := string([]rune(strings.ToLower(value)))
				if value != "" && !contains(literals, lower) {
					t.Fatalf("%s query has no literal %q; literals: %q", q.name, lower, literals)
				}
			}
		}
	})
}

func contains(values []string, want string) bool {
	for _, v := range values {
		if v == want {
			return true
		}
	}
	return false
}

// nastyUPNs are UPNs no directory accepts, but whose queries must still be well-formed KQL: quotes, backslashes,
// every kind of line break, control characters, comment and pipe syntax, and Unicode from several planes.
var nastyUPNs = []string{
	`x") or true //@contoso.com`,
	`x' or '1'=='1@contoso.com`,
	`back\slash@contoso.com`,
	`trailing\`,
	`\"@contoso.com`,
	"new\nline@contoso.com",
	"carriage\r\nreturn@contoso.com",
	"tab\there@contoso.com",
	"line\u2028separator\u2029@contoso.com",
	"next\u0085line@contoso.com",
	"nul\x00bell\x07esc\x1bdel\x7f@contoso.com",
	"// not a comment@contoso.com",
	"x | take 1 | project secret@contoso.com",
	"```multi-line```@contoso.com",
	`@"verbatim"@contoso.com`,
	`h"obfuscated"@contoso.com`,
	"ünïcødé@bücher.example",
	"ДМИТРИЙ@пример.рф",
	"👍🏽zero\u200bwidth\ufeff@contoso.com",
	"right\u202eto-left@contoso.com",
	"\xff\xfeinvalid-utf8@contoso.com",
	"{x}${y}%z;@contoso.com",
}

// TestNastyUPNQueriesPassKustoBinder cross-checks the Go tokenizer with Microsoft's own parser: every query built
// for a nasty UPN binds without a single diagnostic, while the same UPNs pasted in unescaped (the control) do not.
// Like TestQueriesPassKustoBinder, it skips only when node is missing.
func TestNastyUPNQueriesPassKustoBinder(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH, so Microsoft's Kusto binder cannot check the queries (install Node.js 20 or later, then `make kql-deps`)")
	}
	var batch []kqlVariant
	for i, upn := range nastyUPNs {
		accounts := []Account{{ObjectID: "3f2504e0-4f89-41d3-9a0c-0305e82c3301", UserPrincipalName: upn}, breakGlass2}
		batch = append(batch,
			kqlVariant{fmt.Sprintf("nasty %d sign-in", i), SignInQuery(accounts, SignInFailure, true)},
			kqlVariant{fmt.Sprintf("nasty %d change", i), ChangeQuery(accounts, Protections{})})
	}
	// Controls: UPNs that leave a literal open or break it across lines, pasted between quotes without escaping,
	// must make the binder complain. (Injections that stay well-formed, such as `x") or true //`, bind cleanly:
	// catching those is the skeleton check's job, see TestKustoSkeletonCatchesBrokenEscaping.)
	controls := []string{"new\nline@contoso.com", `trailing\`, `x"y@contoso.com`, "x\"\n| take 1 //"}
	for i, upn := range controls {
		batch = append(batch, kqlVariant{fmt.Sprintf("control %d", i),
			"SigninLogs\n| where UserPrincipalName in~ (\"" + upn + "\")\n| project TimeGenerated"})
	}
	results, summary, err := runKQLCheck(t.Context(), node, batch)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range batch {
		r := results[v.id]
		isControl := strings.HasPrefix(v.id, "control")
		if isControl && (r.OK && len(r.Diagnostics) == 0) {
			t.Errorf("%s: the binder accepts an unescaped UPN, so it cannot judge escaping:\n%s", v.id, v.query)
		}
		if !isControl && (!r.OK || len(r.Diagnostics) > 0) {
			t.Errorf("%s: the Kusto binder reports %v\nquery:\n%s", v.id, r.Diagnostics, numberedLines(v.query))
		}
	}
	t.Logf("%d queries for %d nasty UPNs and %d controls: %s", 2*len(nastyUPNs), len(nastyUPNs), len(controls), summary)
}
