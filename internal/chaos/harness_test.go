package chaos_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tfcli"
)

const (
	// fullEnv selects the long set: BREAKGLASS_CHAOS=full (make chaos).
	fullEnv = "BREAKGLASS_CHAOS"
	// globalAdministrator is the role definition id (template id) of Global Administrator.
	globalAdministrator = "62e90394-69f5-4237-9190-012177145e10"
	// runTimeout bounds one Terraform command; the provider's own default timeouts (5 to 15 minutes) are below it.
	runTimeout = 20 * time.Minute
)

// requireAcc skips unless TF_ACC is set: every cell runs Terraform.
func requireAcc(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs Terraform: set TF_ACC=1 (make test and make chaos do)")
	}
}

// requireFull skips the long cells unless BREAKGLASS_CHAOS=full.
func requireFull(t *testing.T) {
	t.Helper()
	requireAcc(t)
	if os.Getenv(fullEnv) != "full" {
		t.Skip("long chaos cell: set BREAKGLASS_CHAOS=full (make chaos does)")
	}
}

// env is one cell's simulated tenant and Terraform working directory holding examples/complete.
type env struct {
	t      *testing.T
	sim    *tenantsim.Server
	ws     *tfcli.Workspace
	base   snapshot
	writes *writeLog
	start  time.Time
}

// newEnv starts a tenant (faults seeded with seed, knobs off until the cell sets them) and a workspace holding
// examples/complete.
func newEnv(t *testing.T, seed int64) *env {
	t.Helper()
	wl := &writeLog{}
	sim, err := tenantsim.Start(tenantsim.Config{RandSeed: seed, RequestLog: wl})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	ws := tfcli.Complete(t, sim)
	return &env{t: t, sim: sim, ws: ws, base: take(sim), writes: wl, start: time.Now()}
}

// run runs one Terraform command and returns its result; a context deadline fails the test.
func (e *env) run(args ...string) tfcli.Result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	began := time.Now()
	res, err := e.ws.Run(ctx, args...)
	if err != nil {
		e.t.Fatalf("terraform %v: %v\nstdout:\n%s\nstderr:\n%s", args, err, res.Stdout, res.Stderr)
	}
	e.t.Logf("terraform %s: exit %d in %s", args[0], res.ExitCode, time.Since(began).Round(100*time.Millisecond))
	return res
}

// must runs a command and fails the test on a non-zero exit.
func (e *env) must(args ...string) tfcli.Result {
	e.t.Helper()
	res := e.run(args...)
	if res.ExitCode != 0 {
		e.t.Fatalf("terraform %v exited %d\nstdout:\n%s\nstderr:\n%s", args, res.ExitCode, res.Stdout, res.Stderr)
	}
	return res
}

func (e *env) apply() {
	e.t.Helper()
	e.must("apply", "-auto-approve", "-input=false")
}

func (e *env) destroy() {
	e.t.Helper()
	e.must("destroy", "-auto-approve", "-input=false")
}

// planEmpty fails the test unless a plan shows no changes.
func (e *env) planEmpty() {
	e.t.Helper()
	res := e.run("plan", "-detailed-exitcode", "-input=false")
	if res.ExitCode != 0 {
		e.t.Fatalf("plan after apply is not empty (exit %d):\n%s\n%s", res.ExitCode, res.Stdout, res.Stderr)
	}
}

// outputs reads terraform output -json.
func (e *env) outputs() map[string]any {
	e.t.Helper()
	res := e.must("output", "-json")
	var raw map[string]struct {
		Value any `json:"value"`
	}
	if err := json.Unmarshal([]byte(res.Stdout), &raw); err != nil {
		e.t.Fatalf("terraform output -json: %v\n%s", err, res.Stdout)
	}
	out := map[string]any{}
	for k, v := range raw {
		out[k] = v.Value
	}
	return out
}

// stateList is terraform state list (the addresses in state).
func (e *env) stateList() []string {
	e.t.Helper()
	res := e.must("state", "list")
	return strings.Fields(res.Stdout)
}

// ---- inventory ----

// snapshot is what the tenant holds of the kinds the example manages.
type snapshot struct {
	users     map[string]string   // active users: id -> displayName
	deleted   map[string]string   // soft-deleted users: id -> displayName
	schedules map[string]bool     // active role assignment schedules: principalId/roleDefinitionId
	excluded  map[string][]string // CA policy id -> excludeUsers
	policies  []map[string]any
	arm       map[string][]string // resource type (lower case) -> ids (lower case)
	units     map[string][]string // administrative unit id -> member ids
	targets   map[string][]string // authentication method configuration -> include target ids
}

// methodConfigs are the authentication method configurations the example includes its accounts in.
var methodConfigs = []string{"Fido2", "TemporaryAccessPass"}

// armTypes are the ARM resource types breakglass_alert makes.
var armTypes = []string{"microsoft.aadiam/diagnosticSettings", "Microsoft.Insights/actionGroups", "Microsoft.Insights/scheduledQueryRules"}

func take(sim *tenantsim.Server) snapshot {
	s := snapshot{users: map[string]string{}, deleted: map[string]string{}, schedules: map[string]bool{},
		excluded: map[string][]string{}, arm: map[string][]string{}, units: map[string][]string{}, targets: map[string][]string{}}
	for _, u := range sim.Users() {
		s.users[lower(u["id"])] = fmt.Sprint(u["displayName"])
	}
	for _, u := range sim.DeletedUsers() {
		s.deleted[lower(u["id"])] = fmt.Sprint(u["displayName"])
	}
	for _, a := range sim.RoleAssignmentSchedules() {
		s.schedules[lower(a["principalId"])+"/"+lower(a["roleDefinitionId"])] = true
	}
	s.policies = sim.CAPolicies()
	for _, p := range s.policies {
		s.excluded[lower(p["id"])] = excludeUsers(p)
	}
	for _, typ := range armTypes {
		for _, r := range sim.ARMResources(typ) {
			s.arm[strings.ToLower(typ)] = append(s.arm[strings.ToLower(typ)], lower(r["id"]))
		}
	}
	for _, u := range sim.AdministrativeUnits() {
		members, _ := u["members"].([]string)
		s.units[lower(u["id"])] = slices.Sorted(slices.Values(members))
	}
	for _, id := range methodConfigs {
		config, _ := sim.AuthMethodConfig(id)
		targets, _ := config["includeTargets"].([]any)
		for _, t := range targets {
			target, _ := t.(map[string]any)
			s.targets[id] = append(s.targets[id], lower(target["id"]))
		}
	}
	return s
}

func lower(v any) string { return strings.ToLower(fmt.Sprint(v)) }

// excludeUsers is the policy's excludeUsers in lower case, as the inventory compares ids.
func excludeUsers(policy map[string]any) []string {
	out := tenantsim.ExcludedUsers(policy)
	for i, id := range out {
		out[i] = strings.ToLower(id)
	}
	return out
}

// inventory is what the tenant holds beyond the seed: the objects a run made (or left behind).
type inventory struct {
	Users     map[string]string   // new active users: id -> displayName
	Deleted   map[string]string   // newly soft-deleted users
	Schedules []string            // new active role assignment schedules: principalId/roleDefinitionId
	Excluded  map[string][]string // policy id -> ids added to excludeUsers
	Unexclude map[string][]string // policy id -> seeded ids no longer in excludeUsers (a lost foreign exclusion)
	ARM       map[string][]string // type -> new resource ids
	Units     map[string][]string // new administrative units: id -> members
	Targets   map[string][]string // authentication method configuration -> include target ids added
	Untarget  map[string][]string // configuration -> seeded include targets no longer there (another team's lost)
}

// diff is the inventory of now over the seed.
func (e *env) inventory() inventory {
	now := take(e.sim)
	inv := inventory{Users: map[string]string{}, Deleted: map[string]string{}, Excluded: map[string][]string{},
		Unexclude: map[string][]string{}, ARM: map[string][]string{}, Units: map[string][]string{},
		Targets: map[string][]string{}, Untarget: map[string][]string{}}
	for id, name := range now.users {
		if _, ok := e.base.users[id]; !ok {
			inv.Users[id] = name
		}
	}
	for id, name := range now.deleted {
		if _, ok := e.base.deleted[id]; !ok {
			inv.Deleted[id] = name
		}
	}
	for k := range now.schedules {
		if !e.base.schedules[k] {
			inv.Schedules = append(inv.Schedules, k)
		}
	}
	sort.Strings(inv.Schedules)
	for id, list := range now.excluded {
		base := e.base.excluded[id]
		for _, u := range list {
			if !slices.Contains(base, u) {
				inv.Excluded[id] = append(inv.Excluded[id], u)
			}
		}
		for _, u := range base {
			if !slices.Contains(list, u) {
				inv.Unexclude[id] = append(inv.Unexclude[id], u)
			}
		}
		sort.Strings(inv.Excluded[id])
	}
	for typ, ids := range now.arm {
		for _, id := range ids {
			if !slices.Contains(e.base.arm[typ], id) {
				inv.ARM[typ] = append(inv.ARM[typ], id)
			}
		}
		sort.Strings(inv.ARM[typ])
	}
	for id, members := range now.units {
		if _, ok := e.base.units[id]; !ok {
			inv.Units[id] = members
		}
	}
	for _, id := range methodConfigs {
		base, list := e.base.targets[id], now.targets[id]
		for _, t := range list {
			if !slices.Contains(base, t) {
				inv.Targets[id] = append(inv.Targets[id], t)
			}
		}
		for _, t := range base {
			if !slices.Contains(list, t) {
				inv.Untarget[id] = append(inv.Untarget[id], t)
			}
		}
		sort.Strings(inv.Targets[id])
	}
	return inv
}

func (inv inventory) String() string {
	raw, _ := json.MarshalIndent(inv, "", "  ")
	return string(raw)
}

// grantControlPolicies are the seeded policies match = "grant_controls" selects (report-only included, disabled
// not): any built-in grant control or an authentication strength.
func (e *env) grantControlPolicies() []string {
	var out []string
	for _, p := range e.base.policies {
		if p["state"] == "disabled" {
			continue
		}
		g, _ := p["grantControls"].(map[string]any)
		controls, _ := g["builtInControls"].([]any)
		if len(controls) > 0 || g["authenticationStrength"] != nil {
			out = append(out, lower(p["id"]))
		}
	}
	sort.Strings(out)
	return out
}

// expected is the example's inventory over the seed, from its outputs.
func (e *env) expected(outputs map[string]any) inventory {
	e.t.Helper()
	primary, secondary := lower(outputs["primary_object_id"]), lower(outputs["secondary_object_id"])
	ids := []string{primary, secondary}
	sort.Strings(ids)
	inv := inventory{
		Users:     map[string]string{primary: "Cloud Operations 01", secondary: "Cloud Operations 02"},
		Deleted:   map[string]string{},
		Schedules: []string{ids[0] + "/" + globalAdministrator, ids[1] + "/" + globalAdministrator},
		Excluded:  map[string][]string{},
		Unexclude: map[string][]string{},
		ARM:       map[string][]string{},
		Units:     map[string][]string{lower(outputs["restricted_management_unit_id"]): ids},
		Targets:   map[string][]string{},
		Untarget:  map[string][]string{},
	}
	for _, id := range methodConfigs {
		inv.Targets[id] = ids
	}
	for _, p := range e.grantControlPolicies() {
		inv.Excluded[p] = ids
	}
	excluded, _ := outputs["excluded_policies"].(map[string]any)
	if len(excluded) != len(inv.Excluded) {
		e.t.Errorf("excluded_policies output names %d policies, the tenant has %d with grant controls: %v", len(excluded), len(inv.Excluded), excluded)
	}
	rules, _ := outputs["alert_rule_ids"].([]any)
	for _, r := range rules {
		inv.ARM["microsoft.insights/scheduledqueryrules"] = append(inv.ARM["microsoft.insights/scheduledqueryrules"], lower(r))
	}
	sort.Strings(inv.ARM["microsoft.insights/scheduledqueryrules"])
	sub, rg := lower(e.sim.Info().SubscriptionID), lower(e.sim.Info().ResourceGroup)
	inv.ARM["microsoft.insights/actiongroups"] = []string{fmt.Sprintf("/subscriptions/%s/resourcegroups/%s/providers/microsoft.insights/actiongroups/emergency-access-sign-in-ag", sub, rg)}
	inv.ARM["microsoft.aadiam/diagnosticsettings"] = []string{"/providers/microsoft.aadiam/diagnosticsettings/emergency-access-entra-logs"}
	return inv
}

// checkApplied compares the tenant with what examples/complete makes, exactly.
func (e *env) checkApplied(outputs map[string]any) inventory {
	e.t.Helper()
	want, got := e.expected(outputs), e.inventory()
	if !equalInventory(want, got) {
		e.t.Errorf("tenant inventory after apply is not exactly the example's objects\nwant: %s\ngot:  %s", want, got)
	}
	return want
}

// checkDestroyed checks that nothing the example made is left: its accounts are soft-deleted (the default
// permanently_delete = false), everything else is gone (the unit, the accounts' method targets), and nobody
// else's targets or exclusions went with it.
func (e *env) checkDestroyed(accounts map[string]string) {
	e.t.Helper()
	got := e.inventory()
	want := inventory{Users: map[string]string{}, Deleted: accounts, Excluded: map[string][]string{},
		Unexclude: map[string][]string{}, ARM: map[string][]string{}, Units: map[string][]string{},
		Targets: map[string][]string{}, Untarget: map[string][]string{}}
	if !equalInventory(want, got) {
		e.t.Errorf("tenant inventory after destroy is not the seed plus the soft-deleted accounts\nwant: %s\ngot:  %s", want, got)
	}
}

func equalInventory(a, b inventory) bool {
	norm := func(m map[string][]string) map[string][]string {
		out := map[string][]string{}
		for k, v := range m {
			if len(v) > 0 {
				out[k] = v
			}
		}
		return out
	}
	a.Excluded, b.Excluded = norm(a.Excluded), norm(b.Excluded)
	a.Unexclude, b.Unexclude = norm(a.Unexclude), norm(b.Unexclude)
	a.ARM, b.ARM = norm(a.ARM), norm(b.ARM)
	a.Units, b.Units = norm(a.Units), norm(b.Units)
	a.Targets, b.Targets = norm(a.Targets), norm(b.Targets)
	a.Untarget, b.Untarget = norm(a.Untarget), norm(b.Untarget)
	return a.String() == b.String()
}

// ---- the request log: writes seen ----

// writeLog reads tenantsim's request log and counts successful Graph and ARM writes.
type writeLog struct {
	mu      sync.Mutex
	partial []byte
	writes  []string // successful writes: "METHOD path status"
	failed  []string // failed writes, same form
	faults  map[int]int
	waiters []waiter
}

type waiter struct {
	n  int
	ch chan struct{}
}

func (l *writeLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := strings.IndexByte(string(l.partial), '\n')
		if i < 0 {
			break
		}
		l.line(l.partial[:i])
		l.partial = l.partial[i+1:]
	}
	return len(p), nil
}

func (l *writeLog) line(raw []byte) {
	var entry struct {
		Method string `json:"method"`
		URL    string `json:"url"`
		Status int    `json:"status"`
	}
	if json.Unmarshal(raw, &entry) != nil {
		return
	}
	if l.faults == nil {
		l.faults = map[int]int{}
	}
	if entry.Status == 429 || entry.Status == 503 || entry.Status == 0 {
		l.faults[entry.Status]++
	}
	if entry.Method == "GET" || strings.Contains(entry.URL, "/oauth2/") || strings.Contains(entry.URL, "$batch") ||
		strings.HasPrefix(entry.URL, "/_sim/") {
		return
	}
	if entry.Status < 200 || entry.Status > 299 {
		l.failed = append(l.failed, fmt.Sprintf("%s %s %d", entry.Method, strings.SplitN(entry.URL, "?", 2)[0], entry.Status))
		return
	}
	l.writes = append(l.writes, fmt.Sprintf("%s %s %d", entry.Method, strings.SplitN(entry.URL, "?", 2)[0], entry.Status))
	kept := l.waiters[:0]
	for _, w := range l.waiters {
		if len(l.writes) >= w.n {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	l.waiters = kept
}

// after returns a channel closed once n writes have succeeded.
func (l *writeLog) after(n int) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	ch := make(chan struct{})
	if len(l.writes) >= n {
		close(ch)
	} else {
		l.waiters = append(l.waiters, waiter{n: n, ch: ch})
	}
	return ch
}

// list returns the writes seen so far.
func (l *writeLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.writes)
}

// sawFailed reports whether a write with this method, a path containing path and this status was answered.
func (l *writeLog) sawFailed(method, path string, status int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, f := range l.failed {
		parts := strings.Fields(f)
		if parts[0] == method && strings.Contains(strings.ToLower(parts[1]), strings.ToLower(path)) && parts[2] == fmt.Sprint(status) {
			return true
		}
	}
	return false
}

// faultCounts says how many 429, 503 and dropped (status 0) answers the tenant gave.
func (l *writeLog) faultCounts() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return fmt.Sprintf("429: %d, 503: %d, reset: %d", l.faults[429], l.faults[503], l.faults[0])
}

var _ io.Writer = (*writeLog)(nil)

// writeConfig writes a configuration file into a new directory and returns it.
func writeConfig(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
