package alert

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Offline tests of the alert's KQL: what the text says (unit tests), and that Microsoft's Kusto binder accepts every
// query the provider can generate (TestQueriesPassKustoBinder). The binder is the npm package
// @kusto/language-service-next, pinned in testdata/kqlcheck/package-lock.json and installed by `make kql-deps`;
// testdata/kqlcheck/kqlcheck.js drives it against testdata/kqlcheck/schema.json, the column lists of Microsoft's
// table reference for SigninLogs, AADNonInteractiveUserSignInLogs and AuditLogs. All queries of the package's tests
// go through one node process (about 1.5 s to start, a few ms per query after that).

var (
	breakGlass1 = Account{ObjectID: "3f2504e0-4f89-41d3-9a0c-0305e82c3301", UserPrincipalName: "BreakGlass01@Contoso.onmicrosoft.com"}
	breakGlass2 = Account{ObjectID: "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", UserPrincipalName: "o'brien-ops.x@contoso.onmicrosoft.com"}
	breakGlass3 = Account{ObjectID: "1b4e28ba-2fa1-41d2-883f-0016d3cca427", UserPrincipalName: "EMERGENCY.Access-03@CONTOSO.onmicrosoft.com"}
	breakGlass4 = Account{ObjectID: "c56a4180-65aa-42ec-a945-5fd21dec0538", UserPrincipalName: "bg_04.O'Neil-Ops@contoso.OnMicrosoft.com"}
	// hostile has a UPN no directory accepts: a double quote, a backslash and a line break, to prove the escaping.
	hostile = Account{ObjectID: "0d5e0f6a-0000-4000-8000-00000000beef", UserPrincipalName: "x\") or true //\\\nevil@contoso.onmicrosoft.com"}
)

var signInResults = []string{SignInAny, SignInSuccess, SignInFailure}

// kqlVariant is one generated query and the arguments that produced it.
type kqlVariant struct{ id, query string }

// accountSets are the account lists the binder sees: 1, 2 and 4 accounts (mixed-case UPNs, apostrophes, hyphens,
// dots, underscores), escaping, an account known only by id or only by UPN, and none at all.
var accountSets = []struct {
	name     string
	accounts []Account
}{
	{"1 account", []Account{breakGlass1}},
	{"2 accounts", []Account{breakGlass2, breakGlass1}},
	{"4 accounts", []Account{breakGlass4, breakGlass2, breakGlass3, breakGlass1}},
	{"escaped UPN", []Account{breakGlass1, hostile}},
	{"id only", []Account{{ObjectID: breakGlass1.ObjectID}, breakGlass2}},
	{"UPN only", []Account{{UserPrincipalName: breakGlass1.UserPrincipalName}}},
	{"no accounts", nil},
}

var (
	exclusionGroup = "5c7e2a10-8d3b-4f1e-9a6c-2b8d4e6f0a11"
	restrictedUnit = "7a1b3c5d-2e4f-4a6b-8c0d-1e2f3a4b5c6d"
	otherUnit      = "0f9e8d7c-6b5a-4c3d-8e1f-0a9b8c7d6e5f"
)

// protectionSets are the protections the binder sees each change query with: each alone, all together, groups
// spelled in upper case and repeated, and a group id no directory has (escaping).
var protectionSets = []struct {
	name string
	p    Protections
}{
	{"Conditional Access, accounts only", Protections{ConditionalAccess: true}},
	{"Conditional Access and groups", Protections{ConditionalAccess: true, ExclusionGroupIDs: []string{strings.ToUpper(exclusionGroup), exclusionGroup, breakGlass1.ObjectID}}},
	{"authentication methods policy", Protections{AuthenticationMethodsPolicy: true}},
	{"restricted units", Protections{RestrictedUnitIDs: []string{restrictedUnit, otherUnit}}},
	{"all protections", Protections{ConditionalAccess: true, ExclusionGroupIDs: []string{exclusionGroup}, AuthenticationMethodsPolicy: true, RestrictedUnitIDs: []string{restrictedUnit}}},
	{"escaped ids", Protections{ConditionalAccess: true, ExclusionGroupIDs: []string{hostile.UserPrincipalName}, RestrictedUnitIDs: []string{"u\"\\\n"}}},
}

// generatedVariants is every query the provider can generate for accountSets: each result filter with and without
// the non-interactive table, and the change query without and with each of protectionSets.
func generatedVariants() []kqlVariant {
	var out []kqlVariant
	for _, set := range accountSets {
		for _, result := range signInResults {
			for _, nonInteractive := range []bool{false, true} {
				out = append(out, kqlVariant{
					id:    fmt.Sprintf("sign-in, %s, result %s, non-interactive %t", set.name, result, nonInteractive),
					query: SignInQuery(set.accounts, result, nonInteractive),
				})
			}
		}
		out = append(out, kqlVariant{id: "change, " + set.name, query: ChangeQuery(set.accounts, Protections{})})
		for _, p := range protectionSets {
			out = append(out, kqlVariant{id: "change, " + set.name + ", " + p.name, query: ChangeQuery(set.accounts, p.p)})
		}
	}
	return out
}

// Negative controls: queries the binder must reject, sent through the same harness in the same batch.
const (
	controlUnknownColumn = "negative control: unknown column"
	controlEmptyList     = "negative control: empty in ()"
)

func negativeControls() []kqlVariant {
	good := SignInQuery([]Account{breakGlass1, breakGlass2}, SignInFailure, true)
	return []kqlVariant{
		{controlUnknownColumn, strings.Replace(good, "| project TimeGenerated, UserPrincipalName,", "| project TimeGenerated, UserPrincipleName,", 1)},
		{controlEmptyList, "SigninLogs\n| where UserId in ()\n| project TimeGenerated"},
	}
}

// kqlResult is kqlcheck.js's answer for one query.
type kqlResult struct {
	ID          string          `json:"id"`
	OK          bool            `json:"ok"`
	Diagnostics []kqlDiagnostic `json:"diagnostics"`
}

type kqlDiagnostic struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Text     string `json:"text"`
}

func (d kqlDiagnostic) String() string {
	return fmt.Sprintf("%s %s at %d:%d near %q: %s", d.Severity, d.Code, d.Line, d.Col, d.Text, d.Message)
}

var binder struct {
	once        sync.Once
	nodeMissing string // why the binder cannot run: node is not on PATH (the only reason to skip)
	err         error  // the checker could not run or answered nonsense
	results     map[string]kqlResult
	sent        int
	summary     string // kqlcheck.js's stderr: counts and timing
	wall        time.Duration
}

// binderResults runs every generated query and the negative controls through kqlcheck.js once per test binary and
// returns the answers by id. It skips the test only when node is not on PATH.
func binderResults(t *testing.T) map[string]kqlResult {
	t.Helper()
	binder.once.Do(func() {
		node, err := exec.LookPath("node")
		if err != nil {
			binder.nodeMissing = "node is not on PATH, so Microsoft's Kusto binder cannot check the queries (install Node.js 20 or later, then `make kql-deps`)"
			return
		}
		batch := append(generatedVariants(), negativeControls()...)
		binder.sent = len(batch)
		start := time.Now()
		binder.results, binder.summary, binder.err = runKQLCheck(t.Context(), node, batch)
		binder.wall = time.Since(start)
	})
	if binder.nodeMissing != "" {
		t.Skip(binder.nodeMissing)
	}
	if binder.err != nil {
		t.Fatal(binder.err)
	}
	return binder.results
}

// runKQLCheck sends the queries to one `node kqlcheck.js --batch` and reads one answer per query, in order.
func runKQLCheck(ctx context.Context, node string, batch []kqlVariant) (map[string]kqlResult, string, error) {
	dir, err := filepath.Abs(filepath.Join("testdata", "kqlcheck"))
	if err != nil {
		return nil, "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@kusto", "language-service-next", "package.json")); err != nil {
		return nil, "", fmt.Errorf("the Kusto binder is not installed in %s: run `make kql-deps` (npm ci from package-lock.json): %v", dir, err)
	}
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, v := range batch {
		if err := enc.Encode(map[string]string{"id": v.id, "query": v.query}); err != nil {
			return nil, "", err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "kqlcheck.js", "--batch")
	cmd.Dir = dir
	cmd.Stdin = &in
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	summary := strings.TrimSpace(stderr.String())
	// Exit code 1 means "some query has errors", which the negative controls guarantee; anything else is a failure
	// of the checker itself.
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		return nil, summary, fmt.Errorf("node kqlcheck.js --batch: %v\n%s", err, summary)
	}
	results := map[string]kqlResult{}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for i := 0; sc.Scan(); i++ {
		var r kqlResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, summary, fmt.Errorf("kqlcheck.js answer %d is not JSON: %v: %s", i+1, err, sc.Text())
		}
		if i >= len(batch) || r.ID != batch[i].id {
			return nil, summary, fmt.Errorf("kqlcheck.js answer %d is for %q, want the answers in the order sent", i+1, r.ID)
		}
		results[r.ID] = r
	}
	if err := sc.Err(); err != nil {
		return nil, summary, err
	}
	if len(results) != len(batch) {
		return nil, summary, fmt.Errorf("kqlcheck.js answered %d of %d queries\n%s", len(results), len(batch), summary)
	}
	return results, summary, nil
}

func TestQueriesPassKustoBinder(t *testing.T) {
	results := binderResults(t)
	variants := generatedVariants()
	for _, v := range variants {
		r := results[v.id]
		if r.OK && len(r.Diagnostics) == 0 {
			continue
		}
		var lines []string
		for _, d := range r.Diagnostics {
			lines = append(lines, "  "+d.String())
		}
		// Warnings fail too: none of the generated queries has any today, and a new one deserves a look.
		t.Errorf("%s: the Kusto binder reports:\n%s\nquery:\n%s", v.id, strings.Join(lines, "\n"), numberedLines(v.query))
	}
	t.Logf("%d generated query variants bound by Kusto.Language (@kusto/language-service-next 12.4.1) against the documented schemas, in one node process with %d negative controls (the failures it counts): %s (wall %s)",
		len(variants), binder.sent-len(variants), binder.summary, binder.wall.Round(time.Millisecond))
}

// TestKQLCheckerRejectsBrokenQueries is the harness's negative control: queries the real engine rejects must come
// back failing, with the diagnostic that says why, or a pass above would prove nothing.
func TestKQLCheckerRejectsBrokenQueries(t *testing.T) {
	results := binderResults(t)
	for id, want := range map[string]string{controlUnknownColumn: "KS142", controlEmptyList: "KS006"} {
		r, ok := results[id]
		if !ok {
			t.Errorf("%s: no answer from the checker", id)
			continue
		}
		if r.OK {
			t.Errorf("%s: the checker passed a broken query", id)
		}
		found := false
		for _, d := range r.Diagnostics {
			found = found || (d.Severity == "Error" && d.Code == want)
		}
		if !found {
			t.Errorf("%s: want an Error %s, got %v", id, want, r.Diagnostics)
		}
	}
	if d := results[controlUnknownColumn].Diagnostics; len(d) == 0 || d[0].Text != "UserPrincipleName" {
		t.Errorf("unknown column: want the diagnostic at 'UserPrincipleName', got %v", d)
	}
}

func TestSignInQueryOrderAndSpellingDoNotMatter(t *testing.T) {
	respelled := func(a Account) Account {
		return Account{ObjectID: strings.ToUpper(a.ObjectID), UserPrincipalName: strings.ToUpper(a.UserPrincipalName)}
	}
	orders := [][]Account{
		{breakGlass1, breakGlass2, breakGlass3, breakGlass4},
		{breakGlass4, breakGlass3, breakGlass2, breakGlass1},
		{breakGlass3, breakGlass1, breakGlass4, breakGlass2},
		{respelled(breakGlass2), breakGlass4, respelled(breakGlass1), breakGlass3},
	}
	for _, result := range signInResults {
		want := SignInQuery(orders[0], result, true)
		for _, accounts := range orders[1:] {
			if got := SignInQuery(accounts, result, true); got != want {
				t.Errorf("result %s: the query depends on the order or spelling of the accounts:\n%s\nvs\n%s", result, got, want)
			}
		}
	}
	if ChangeQuery(orders[0], Protections{}) != ChangeQuery(orders[3], Protections{}) {
		t.Error("the change query depends on the order or spelling of the accounts")
	}
	// Sorted by object id: 1b4e… (3), 3f25… (1), 9b1d… (2), c56a… (4), in every list of the query.
	q := SignInQuery(orders[1], SignInAny, false)
	wantIDs := `UserId in ("1b4e28ba-2fa1-41d2-883f-0016d3cca427", "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", "c56a4180-65aa-42ec-a945-5fd21dec0538")`
	wantUPNs := `UserPrincipalName in~ ("emergency.access-03@contoso.onmicrosoft.com", "breakglass01@contoso.onmicrosoft.com", "o'brien-ops.x@contoso.onmicrosoft.com", "bg_04.o'neil-ops@contoso.onmicrosoft.com")`
	if where := queryLine(q, "| where UserId"); where != "| where "+wantIDs+" or "+wantUPNs {
		t.Errorf("match line:\n%s\nwant\n| where %s or %s", where, wantIDs, wantUPNs)
	}
}

func TestQueriesDeduplicateAccounts(t *testing.T) {
	accounts := []Account{
		breakGlass1, breakGlass2,
		{ObjectID: strings.ToUpper(breakGlass1.ObjectID), UserPrincipalName: strings.ToLower(breakGlass1.UserPrincipalName)},
		{ObjectID: breakGlass2.ObjectID, UserPrincipalName: strings.ToUpper(breakGlass2.UserPrincipalName)},
		breakGlass1,
	}
	if got, want := SignInQuery(accounts, SignInAny, true), SignInQuery([]Account{breakGlass1, breakGlass2}, SignInAny, true); got != want {
		t.Errorf("duplicates change the sign-in query:\n%s\nwant\n%s", got, want)
	}
	if got, want := ChangeQuery(accounts, Protections{}), ChangeQuery([]Account{breakGlass2, breakGlass1}, Protections{}); got != want {
		t.Errorf("duplicates change the change query:\n%s\nwant\n%s", got, want)
	}
	q := ChangeQuery(accounts, Protections{})
	for _, s := range []string{`"` + breakGlass1.ObjectID + `"`, `"breakglass01@contoso.onmicrosoft.com"`} {
		// Once in the match line, once in the UPN mapping.
		if n := strings.Count(strings.ToLower(q), strings.ToLower(s)); n != 2 {
			t.Errorf("%s appears %d times in the change query, want 2:\n%s", s, n, q)
		}
	}
}

// upnComparison finds a case-sensitive comparison of a UPN column: ==, !=, in (, has_cs and the like.
var upnComparison = regexp.MustCompile(`PrincipalName\s*(==|!=|in\s*\(|!in\s*\(|has_cs|contains_cs|startswith_cs|endswith_cs)`)

func TestQueriesMatchUPNsCaseInsensitively(t *testing.T) {
	accounts := []Account{breakGlass1, breakGlass2}
	for _, v := range []kqlVariant{
		{"sign-in", SignInQuery(accounts, SignInFailure, true)},
		{"change", ChangeQuery(accounts, Protections{})},
	} {
		if m := upnComparison.FindString(v.query); m != "" {
			t.Errorf("%s: case-sensitive UPN comparison %q:\n%s", v.id, m, v.query)
		}
		if !strings.Contains(v.query, "PrincipalName in~ (") {
			t.Errorf("%s: no case-insensitive UPN match (in~):\n%s", v.id, v.query)
		}
	}
	q := SignInQuery(accounts, SignInAny, false)
	for _, want := range []string{
		`| where UserId in ("3f2504e0-4f89-41d3-9a0c-0305e82c3301", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d") or UserPrincipalName in~ ("breakglass01@contoso.onmicrosoft.com", "o'brien-ops.x@contoso.onmicrosoft.com")`,
		// The alert's dimension: the configured UPN of the signed-in object id, else the logged UPN in lower case.
		`| extend UserPrincipalName = case(UserId == "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "breakglass01@contoso.onmicrosoft.com", UserId == "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", "o'brien-ops.x@contoso.onmicrosoft.com", tolower(UserPrincipalName))`,
	} {
		if !strings.Contains(q, want+"\n") {
			t.Errorf("sign-in query lacks the line\n%s\n%s", want, q)
		}
	}
}

func TestSignInQueryResultFilter(t *testing.T) {
	accounts := []Account{breakGlass1}
	for _, tc := range []struct{ result, want string }{
		{SignInSuccess, `| where ResultType == "0"`},
		{SignInFailure, `| where ResultType != "0"`},
		{SignInAny, ""},
		{"", ""},
		{"bogus", ""},
	} {
		for _, nonInteractive := range []bool{false, true} {
			q := SignInQuery(accounts, tc.result, nonInteractive)
			var filters []string
			for _, line := range strings.Split(q, "\n") {
				if strings.Contains(line, "ResultType") && strings.HasPrefix(line, "| where") {
					filters = append(filters, line)
				}
			}
			got := strings.Join(filters, "\n")
			if got != tc.want {
				t.Errorf("result %q, non-interactive %t: ResultType filter %q, want %q:\n%s", tc.result, nonInteractive, got, tc.want, q)
			}
			// ResultType is a string column: compared with the number 0 it would bind (the binder does not flag it)
			// and match nothing.
			if regexp.MustCompile(`ResultType\s*[!=]=\s*0`).MatchString(q) {
				t.Errorf("result %q: ResultType compared with a number:\n%s", tc.result, q)
			}
		}
	}
}

func TestSignInQueryTables(t *testing.T) {
	accounts := []Account{breakGlass1, breakGlass2}
	for _, result := range signInResults {
		with := strings.Split(SignInQuery(accounts, result, true), "\n")
		if with[1] != "union isfuzzy=true SigninLogs, AADNonInteractiveUserSignInLogs" {
			t.Errorf("result %s with non-interactive: source line %q", result, with[1])
		}
		without := SignInQuery(accounts, result, false)
		if strings.Split(without, "\n")[1] != "SigninLogs" || strings.Contains(without, "AADNonInteractive") || strings.Contains(without, "union") {
			t.Errorf("result %s without non-interactive: want SigninLogs alone:\n%s", result, without)
		}
	}
	if !strings.HasPrefix(strings.Split(ChangeQuery(accounts, Protections{}), "\n")[1], "AuditLogs") {
		t.Errorf("change query does not read AuditLogs:\n%s", ChangeQuery(accounts, Protections{}))
	}
}

func TestQueriesEscapeStringLiterals(t *testing.T) {
	accounts := []Account{breakGlass1, hostile}
	escaped := `"x\") or true //\\\nevil@contoso.onmicrosoft.com"`
	for _, v := range []kqlVariant{
		{"sign-in", SignInQuery(accounts, SignInAny, true)},
		{"change", ChangeQuery(accounts, Protections{})},
	} {
		if !strings.Contains(v.query, escaped) {
			t.Errorf("%s: want the UPN as %s:\n%s", v.id, escaped, v.query)
		}
		if strings.Contains(v.query, `x")`) || strings.Contains(v.query, "//\\\n") {
			t.Errorf("%s: the UPN escapes its literal:\n%s", v.id, v.query)
		}
		if got, want := strings.Count(v.query, "\n"), strings.Count(strings.ReplaceAll(v.query, escaped, `"x"`), "\n"); got != want {
			t.Errorf("%s: the UPN adds lines", v.id)
		}
	}
	for in, want := range map[string]string{
		`plain`:      `"plain"`,
		`o'brien`:    `"o'brien"`,
		`a"b`:        `"a\"b"`,
		`a\b`:        `"a\\b"`,
		"tab\there":  `"tab\there"`,
		"cr\rlf\n":   `"cr\rlf\n"`,
		"bell\a":     `"bell\u0007"`,
		"del\x7f":    `"del\u007f"`,
		"ls\u2028":   `"ls\u2028"`,
		"bad\xffutf": "\"bad\ufffdutf\"",
		"ünïcødé":    `"ünïcødé"`,
	} {
		if got := kqlString(in); got != want {
			t.Errorf("kqlString(%q) = %s, want %s", in, got, want)
		}
	}
	// And Kusto reads the escaped queries as intended: they bind like the others.
	results := binderResults(t)
	for _, id := range []string{"sign-in, escaped UPN, result any, non-interactive true", "change, escaped UPN"} {
		if r, ok := results[id]; !ok || !r.OK {
			t.Errorf("%s: the escaped query does not bind: %v", id, r.Diagnostics)
		}
	}
}

func TestQueriesWithoutAccountsMatchNothing(t *testing.T) {
	for _, accounts := range [][]Account{nil, {}, {{}}} {
		for _, v := range []kqlVariant{
			{"sign-in", SignInQuery(accounts, SignInAny, true)},
			{"change", ChangeQuery(accounts, Protections{})},
		} {
			// `in ()` does not parse in KQL (the negative control shows it), and leaving the match out would
			// match everyone: the match is `false` instead.
			if !strings.Contains(v.query, "\n| where false\n") {
				t.Errorf("%s with %v: want `| where false`:\n%s", v.id, accounts, v.query)
			}
			if strings.Contains(v.query, "in ()") || strings.Contains(v.query, "in~ ()") {
				t.Errorf("%s with %v: empty list:\n%s", v.id, accounts, v.query)
			}
		}
	}
	// One known field is enough to match: an id alone, or a UPN alone.
	if q := SignInQuery([]Account{{ObjectID: breakGlass1.ObjectID}}, SignInAny, false); !strings.Contains(q, `| where UserId in ("3f2504e0-4f89-41d3-9a0c-0305e82c3301")`+"\n") {
		t.Errorf("id only:\n%s", q)
	}
	if q := ChangeQuery([]Account{{UserPrincipalName: "A@B.onmicrosoft.com"}}, Protections{}); !strings.Contains(q, `| where TargetUserPrincipalName in~ ("a@b.onmicrosoft.com")`+"\n") {
		t.Errorf("UPN only:\n%s", q)
	}
}

func TestChangeOperations(t *testing.T) {
	if len(ChangeOperations) == 0 {
		t.Fatal("ChangeOperations is empty")
	}
	q := ChangeQuery([]Account{breakGlass1}, Protections{})
	seen := map[string]bool{}
	for _, op := range ChangeOperations {
		if op == "" || op != strings.TrimSpace(op) {
			t.Errorf("operation %q: empty or padded", op)
		}
		if seen[strings.ToLower(op)] {
			t.Errorf("operation %q twice (the query compares case-insensitively)", op)
		}
		seen[strings.ToLower(op)] = true
		if !strings.Contains(q, "\n    "+kqlString(op)) {
			t.Errorf("operation %q is not in the change query", op)
		}
	}
	// What the emergency-access guidance and DESIGN.md ask to be told about, one documented name each.
	for _, op := range []string{
		"Reset password", "Reset password (by admin)", "Change password (self-service)", "Reset password (self-service)",
		"Update user", "Disable account", "Enable account", "Delete user", "Restore user", "Hard Delete user",
		"Add member to role", "Remove member from role", "Add member to role in PIM completed (permanent)",
		"Add eligible member to role in PIM completed (permanent)", "Remove member from role in PIM completed (permanent)",
		"Add member to role completed (PIM activation)",
		"User registered security info", "User deleted security info", "Admin registered security info",
		"Delete FIDO2 security key(s)", "Update StsRefreshTokenValidFrom Timestamp",
	} {
		if !seen[strings.ToLower(op)] {
			t.Errorf("ChangeOperations lacks %q", op)
		}
	}
	if !strings.Contains(q, "| where OperationName in~ (\n") {
		t.Errorf("operations are not compared case-insensitively:\n%s", q)
	}
}

func TestChangeQueryFindsTheAccountInTargetResources(t *testing.T) {
	q := ChangeQuery([]Account{breakGlass2, breakGlass1}, Protections{})
	for _, want := range []string{
		"| mv-expand Target = TargetResources",
		"| extend TargetId = tostring(Target.id), TargetUserPrincipalName = tostring(Target.userPrincipalName)",
		`| where TargetId in ("3f2504e0-4f89-41d3-9a0c-0305e82c3301", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d") or TargetUserPrincipalName in~ ("breakglass01@contoso.onmicrosoft.com", "o'brien-ops.x@contoso.onmicrosoft.com")`,
		// PIM events often name the target by id alone: the id maps back to the configured UPN.
		`| extend UserPrincipalName = case(TargetId == "3f2504e0-4f89-41d3-9a0c-0305e82c3301", "breakglass01@contoso.onmicrosoft.com", TargetId == "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", "o'brien-ops.x@contoso.onmicrosoft.com", tolower(TargetUserPrincipalName))`,
		"| extend InitiatedByUserOrApp = coalesce(tostring(InitiatedBy.user.userPrincipalName), tostring(InitiatedBy.app.displayName))",
		"| project TimeGenerated, UserPrincipalName, OperationName, Result, ResultReason, InitiatedByUserOrApp, Category, LoggedByService, CorrelationId, Id",
	} {
		if !strings.Contains(q+"\n", want+"\n") {
			t.Errorf("change query lacks the line\n%s\n%s", want, q)
		}
	}
}

// TestSignInQueryColumnsAreInBothTables guards against the union trap: a column whose type differs between the two
// sign-in tables comes out of `union` renamed (LocationDetails_dynamic, LocationDetails_string), and only while both
// tables exist. The binder sees both tables, so it cannot catch a query that breaks when one is absent.
func TestSignInQueryColumnsAreInBothTables(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "kqlcheck", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Tables map[string][]struct{ Name, Type string } `json:"tables"`
	}
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	types := func(table string) map[string]string {
		m := map[string]string{}
		for _, c := range schema.Tables[table] {
			m[c.Name] = c.Type
		}
		if len(m) == 0 {
			t.Fatalf("schema.json has no table %s", table)
		}
		return m
	}
	signIns, nonInteractive := types(tableSignIns), types(tableNonInteractive)
	for _, c := range signInColumns {
		if signIns[c] == "" || signIns[c] != nonInteractive[c] {
			t.Errorf("column %s: %q in %s, %q in %s; want the same type in both", c, signIns[c], tableSignIns, nonInteractive[c], tableNonInteractive)
		}
	}
	if got := queryLine(SignInQuery([]Account{breakGlass1}, SignInAny, true), "| project "); got != "| project "+strings.Join(signInColumns, ", ") {
		t.Errorf("projected columns: %s", got)
	}
	for _, c := range []string{"UserPrincipalName", "TimeGenerated", "UserId", "ResultType", "ResultDescription", "AppDisplayName", "IPAddress", "Location", "Type"} {
		if !columnListed(signInColumns, c) {
			t.Errorf("the sign-in rule does not show %s", c)
		}
	}
}

// TestQueriesAreReadable checks the layout the Azure portal shows: a first comment line naming the provider, then
// the source, then one operator per line.
func TestQueriesAreReadable(t *testing.T) {
	literal := regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)
	for _, v := range generatedVariants() {
		lines := strings.Split(v.query, "\n")
		if !strings.HasPrefix(lines[0], "// breakglass_alert: ") || len(lines) < 4 {
			t.Errorf("%s: want a first line `// breakglass_alert: ...`:\n%s", v.id, v.query)
			continue
		}
		if strings.HasPrefix(lines[1], "|") {
			t.Errorf("%s: no source line:\n%s", v.id, v.query)
		}
		for _, line := range lines[1:] {
			bare := literal.ReplaceAllString(line, `""`)
			if strings.Count(bare, "|") > 1 || (strings.Contains(bare, "|") && !strings.HasPrefix(bare, "| ")) {
				t.Errorf("%s: more than one operator on the line %q", v.id, line)
			}
			if strings.HasSuffix(line, " ") {
				t.Errorf("%s: trailing space on the line %q", v.id, line)
			}
		}
	}
}

func queryLine(query, prefix string) string {
	for _, line := range strings.Split(query, "\n") {
		if strings.HasPrefix(line, prefix) {
			return line
		}
	}
	return ""
}

func columnListed(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func numberedLines(query string) string {
	lines := strings.Split(query, "\n")
	for i, line := range lines {
		lines[i] = fmt.Sprintf("%4d  %s", i+1, line)
	}
	return strings.Join(lines, "\n")
}

// TestChangeQueryWithoutProtectionsIsUnchanged: without protections the change query is, byte for byte, the one
// the provider wrote before protections existed (testdata/change_query_without_protections.kql), so upgrading
// plans no change to anyone's rule. ExclusionGroupIDs without ConditionalAccess adds nothing: groups only widen
// the watch of Conditional Access policies.
func TestChangeQueryWithoutProtectionsIsUnchanged(t *testing.T) {
	want, err := os.ReadFile(filepath.Join("testdata", "change_query_without_protections.kql"))
	if err != nil {
		t.Fatal(err)
	}
	accounts := []Account{
		{ObjectID: "3f2504e0-4f89-41d3-9a0c-0305e82c3301", UserPrincipalName: "BreakGlass01@Contoso.onmicrosoft.com"},
		{ObjectID: "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", UserPrincipalName: "o'brien@contoso.com"},
	}
	for _, p := range []Protections{{}, {ExclusionGroupIDs: []string{exclusionGroup}}, {RestrictedUnitIDs: []string{""}}} {
		if got := ChangeQuery(accounts, p); got != string(want) {
			t.Errorf("protections %+v: the change query differs from the one before protections:\n%s", p, got)
		}
	}
}

func TestChangeQueryWatchesConditionalAccessPolicies(t *testing.T) {
	q := ChangeQuery([]Account{breakGlass2, breakGlass1}, Protections{ConditionalAccess: true,
		ExclusionGroupIDs: []string{strings.ToUpper(exclusionGroup), exclusionGroup, breakGlass1.ObjectID}})
	// The accounts' ids and the group's, each once, in lower case and sorted.
	for _, want := range []string{
		"let accountChanges = AuditLogs",
		"let policyChanges = AuditLogs",
		`| where OperationName in~ ("Update Conditional Access policy", "Delete Conditional Access policy")`,
		"| extend PolicyJson = tostring(Target.modifiedProperties)",
		`| where PolicyJson contains "3f2504e0-4f89-41d3-9a0c-0305e82c3301" or PolicyJson contains "5c7e2a10-8d3b-4f1e-9a6c-2b8d4e6f0a11" or PolicyJson contains "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"`,
		`| extend UserPrincipalName = strcat("Conditional Access policy ", tostring(Target.displayName));`,
		"union accountChanges, policyChanges",
	} {
		if !strings.Contains(q+"\n", want+"\n") {
			t.Errorf("change query lacks the line\n%s\n%s", want, q)
		}
	}
	// With no group, the policies that name the accounts.
	q = ChangeQuery([]Account{breakGlass1}, Protections{ConditionalAccess: true})
	if want := `| where PolicyJson contains "3f2504e0-4f89-41d3-9a0c-0305e82c3301"`; queryLine(q, "| where PolicyJson") != want {
		t.Errorf("want %s:\n%s", want, q)
	}
	// An account known only by its UPN leaves no id to look for: the part matches nothing rather than everything.
	q = ChangeQuery([]Account{{UserPrincipalName: breakGlass1.UserPrincipalName}}, Protections{ConditionalAccess: true})
	if !strings.Contains(q, "| extend PolicyJson = tostring(Target.modifiedProperties)\n| where false\n") {
		t.Errorf("want `| where false` in the policy part:\n%s", q)
	}
	if strings.Contains(ChangeQuery([]Account{breakGlass1}, Protections{AuthenticationMethodsPolicy: true}), "Conditional Access policy") {
		t.Error("Conditional Access policies watched without ConditionalAccess")
	}
}

func TestChangeQueryWatchesAuthenticationMethodsPolicy(t *testing.T) {
	q := ChangeQuery([]Account{breakGlass1}, Protections{AuthenticationMethodsPolicy: true})
	for _, want := range []string{
		"let methodsPolicyChanges = AuditLogs",
		`| where OperationName in~ ("Authentication Methods Policy Update", "Authentication Methods Policy Reset")`,
		`| extend UserPrincipalName = "authentication methods policy";`,
		"union accountChanges, methodsPolicyChanges",
	} {
		if !strings.Contains(q+"\n", want+"\n") {
			t.Errorf("change query lacks the line\n%s\n%s", want, q)
		}
	}
}

func TestChangeQueryWatchesRestrictedUnits(t *testing.T) {
	q := ChangeQuery([]Account{breakGlass1}, Protections{RestrictedUnitIDs: []string{restrictedUnit, strings.ToUpper(otherUnit), otherUnit}})
	for _, want := range []string{
		"let unitChanges = AuditLogs",
		"| where OperationName in~ " + kqlList(AdministrativeUnitOperations),
		"| extend TargetsJson = tostring(TargetResources)",
		`| where TargetsJson contains "0f9e8d7c-6b5a-4c3d-8e1f-0a9b8c7d6e5f" or TargetsJson contains "7a1b3c5d-2e4f-4a6b-8c0d-1e2f3a4b5c6d"`,
		`| extend UserPrincipalName = case(TargetsJson contains "0f9e8d7c-6b5a-4c3d-8e1f-0a9b8c7d6e5f", "administrative unit 0f9e8d7c-6b5a-4c3d-8e1f-0a9b8c7d6e5f", ` +
			`TargetsJson contains "7a1b3c5d-2e4f-4a6b-8c0d-1e2f3a4b5c6d", "administrative unit 7a1b3c5d-2e4f-4a6b-8c0d-1e2f3a4b5c6d", "administrative unit");`,
		"union accountChanges, unitChanges",
	} {
		if !strings.Contains(q+"\n", want+"\n") {
			t.Errorf("change query lacks the line\n%s\n%s", want, q)
		}
	}
}

// TestChangeQueryProtectionsTogether: every part is read once, in a fixed order, and the columns the rule shows
// come after the union; the account part is the query without protections, word for word.
func TestChangeQueryProtectionsTogether(t *testing.T) {
	accounts := []Account{breakGlass1, breakGlass2}
	all := Protections{ConditionalAccess: true, ExclusionGroupIDs: []string{exclusionGroup}, AuthenticationMethodsPolicy: true, RestrictedUnitIDs: []string{restrictedUnit}}
	q := ChangeQuery(accounts, all)
	if !strings.HasPrefix(q, "// breakglass_alert: changes to the emergency access accounts and their protections (AuditLogs)\n") {
		t.Errorf("first line: %s", strings.Split(q, "\n")[0])
	}
	tail := "union accountChanges, policyChanges, methodsPolicyChanges, unitChanges\n" +
		"| extend InitiatedByUserOrApp = coalesce(tostring(InitiatedBy.user.userPrincipalName), tostring(InitiatedBy.app.displayName))\n" +
		"| project " + strings.Join(changeColumns, ", ")
	if !strings.HasSuffix(q, tail) {
		t.Errorf("want the query to end with\n%s\n%s", tail, q)
	}
	plain := ChangeQuery(accounts, Protections{})
	_, accountPart, _ := strings.Cut(plain, "\nAuditLogs\n")
	accountPart, _, _ = strings.Cut(accountPart, "\n| extend InitiatedByUserOrApp")
	if !strings.Contains(q, "\nlet accountChanges = AuditLogs\n"+accountPart+";\nlet policyChanges") {
		t.Errorf("the account part differs from the query without protections:\n%s", q)
	}
	// Order and spelling of the protections do not matter.
	respelled := Protections{ConditionalAccess: true, ExclusionGroupIDs: []string{strings.ToUpper(exclusionGroup), exclusionGroup},
		AuthenticationMethodsPolicy: true, RestrictedUnitIDs: []string{strings.ToUpper(restrictedUnit)}}
	if ChangeQuery([]Account{breakGlass2, breakGlass1}, respelled) != q {
		t.Error("the change query depends on the order or spelling of the protections")
	}
}

func TestProtectionOperations(t *testing.T) {
	for name, ops := range map[string][]string{
		"ConditionalAccessPolicyOperations":     ConditionalAccessPolicyOperations,
		"AuthenticationMethodsPolicyOperations": AuthenticationMethodsPolicyOperations,
		"AdministrativeUnitOperations":          AdministrativeUnitOperations,
	} {
		seen := map[string]bool{}
		for _, op := range ops {
			if op == "" || op != strings.TrimSpace(op) || seen[strings.ToLower(op)] {
				t.Errorf("%s: operation %q empty, padded or repeated", name, op)
			}
			seen[strings.ToLower(op)] = true
		}
	}
	// The activities the issue names, as the audit activity reference spells them.
	for _, want := range []struct {
		ops []string
		op  string
	}{
		{ConditionalAccessPolicyOperations, "Update Conditional Access policy"},
		{ConditionalAccessPolicyOperations, "Delete Conditional Access policy"},
		{AuthenticationMethodsPolicyOperations, "Authentication Methods Policy Update"},
		{AdministrativeUnitOperations, "Add member to restricted management administrative unit"},
		{AdministrativeUnitOperations, "Remove member from restricted management administrative unit"},
		{AdministrativeUnitOperations, "Add member to administrative unit"},
		{AdministrativeUnitOperations, "Remove member from administrative unit"},
	} {
		if !slices.Contains(want.ops, want.op) {
			t.Errorf("%q is not watched", want.op)
		}
	}
}
