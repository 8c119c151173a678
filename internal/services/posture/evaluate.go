package posture

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
)

// Defaults of the data source's optional arguments.
const (
	// DefaultTestIntervalDays: the 180 days. Microsoft's emergency access guidance asks to validate the
	// accounts at regular intervals, at least every 90 days; set test_interval_days = 90 to hold to that.
	DefaultTestIntervalDays = 180
	// DefaultMaxGlobalAdmins: Microsoft's role best practices say "limit the number of Global Administrators to
	// less than 5", so at most four.
	DefaultMaxGlobalAdmins = 4
)

// Input is what one posture read evaluates.
type Input struct {
	AccountIDs       []string
	AllowedPolicyIDs []string
	TestIntervalDays int
	MaxGlobalAdmins  int
	// AlertResourceGroup limits the search for alert rules to one resource group of the provider's subscription;
	// empty searches the whole subscription.
	AlertResourceGroup string
	// Now is the time sign-ins are measured from; zero means time.Now().
	Now time.Time
}

// Report is the outcome of a posture read.
type Report struct {
	Checks   []Check
	Accounts []AccountReport
	// GlobalAdminCount is the number of principals holding Global Administrator, nil when it could not be read.
	GlobalAdminCount *int
}

// AccountReport is what the read found out about one account; nil pointers are facts that could not be read.
type AccountReport struct {
	ID                    string
	Found                 bool
	UserPrincipalName     string
	DisplayName           string
	AccountEnabled        *bool
	OnPremisesSyncEnabled *bool
	AssignedLicenses      *int
	CertificateUserIDs    *int
	FIDO2Methods          *int
	PermanentGlobalAdmin  *bool
	LastSuccessfulSignIn  *time.Time
	LastSignIn            *time.Time
	// BlockingPolicyIDs are the enabled Conditional Access policies that could block the account and do not
	// exclude it (nil when the policies could not be read).
	BlockingPolicyIDs []string
	// AlertRuleIDs are the enabled alert rules that watch the account's sign-ins (nil when they could not be
	// listed).
	AlertRuleIDs []string
}

// Passed reports whether no check failed: warn and unknown do not fail.
func (r Report) Passed() bool {
	return len(r.IDsWith(StatusFail)) == 0
}

// IDsWith returns the ids of the checks with a status, in check order.
func (r Report) IDsWith(status string) []string {
	out := []string{}
	for _, c := range r.Checks {
		if c.Status == status {
			out = append(out, c.ID)
		}
	}
	return out
}

// Evaluate reads what the checks need, in as few requests as Graph and ARM allow, and runs the checks. The data
// source and the benchmark both call it. A missing permission or licence makes the checks that need it unknown;
// an error is returned only for failures that are not the caller's configuration (Graph answering 5xx after its
// retries, a transport error).
//
// Requests, for up to 15 accounts: Graph 1 users list ($filter=id in, $select incl. signInActivity; a second
// without signInActivity when that is refused), 1 domains list, 1+ pages of Global Administrator assignment
// instances, 1+ pages of Conditional Access policies, 1 $batch (up to six accounts) of the authentication methods
// policy and each account's FIDO2 methods, registered methods and memberships, and, only when an
// account is not excluded directly from a policy that excludes groups, $batches of those groups' members; ARM 1+
// pages of scheduled query rules. The independent reads run concurrently.
func Evaluate(ctx context.Context, c *clients.Client, in Input) (Report, error) {
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	if in.TestIntervalDays <= 0 {
		in.TestIntervalDays = DefaultTestIntervalDays
	}
	if in.MaxGlobalAdmins <= 0 {
		in.MaxGlobalAdmins = DefaultMaxGlobalAdmins
	}
	ids := distinctFold(in.AccountIDs)
	f := &facts{Now: in.Now}

	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	run := func(read func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := read(ctx); err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	run(func(ctx context.Context) error { return readUsers(ctx, c, ids, f) })
	run(func(ctx context.Context) error { return readInitialDomain(ctx, c, f) })
	run(func(ctx context.Context) error { return readGlobalAdmins(ctx, c, f) })
	run(func(ctx context.Context) error { return readPolicies(ctx, c, f) })
	run(func(ctx context.Context) error { return readAccountsAndMethodPolicy(ctx, c, ids, f) })
	run(func(ctx context.Context) error { readAlertRules(ctx, c, in.AlertResourceGroup, f); return nil })
	wg.Wait()
	if firstErr != nil {
		return Report{}, firstErr
	}
	// Group exclusions are resolved only when a direct exclusion is missing: the common case costs nothing.
	if err := readExcludedGroups(ctx, c, f, in.AllowedPolicyIDs); err != nil {
		return Report{}, err
	}
	return Report{Checks: evaluate(f, in), Accounts: accountReports(f, in.AllowedPolicyIDs), GlobalAdminCount: globalAdminCount(f)}, nil
}

func globalAdminCount(f *facts) *int {
	if f.GlobalAdminGap != "" {
		return nil
	}
	n := len(globalAdminPrincipals(f.GlobalAdmins))
	return &n
}

func accountReports(f *facts, allowed []string) []AccountReport {
	out := make([]AccountReport, 0, len(f.Accounts))
	for _, a := range f.subjects() {
		r := AccountReport{ID: a.ID, Found: a.Found}
		if f.UsersGap == "" && a.Found {
			r.UserPrincipalName, r.DisplayName = a.UserPrincipalName, a.DisplayName
			r.AccountEnabled, r.OnPremisesSyncEnabled = &a.Enabled, &a.Synced
			r.AssignedLicenses, r.CertificateUserIDs = &a.Licenses, &a.CertificateUserIDs
			if f.SignInGap == "" {
				r.LastSuccessfulSignIn, r.LastSignIn = a.LastSuccessfulSignIn, a.LastSignIn
			}
		}
		if f.UsersGap != "" {
			r.Found = false // not known
		}
		if n, ok := f.FIDO2[strings.ToLower(a.ID)]; ok && f.FIDO2Gap == "" {
			r.FIDO2Methods = &n
		}
		if f.GlobalAdminGap == "" {
			permanent := globalAdminProblem(f.GlobalAdmins, a.ID) == ""
			r.PermanentGlobalAdmin = &permanent
		}
		if f.PoliciesGap == "" {
			r.BlockingPolicyIDs = []string{}
			for _, p := range f.Policies {
				if p.State == policyEnabled && p.couldBlock() && !helpers.ContainsFold(allowed, p.ID) && p.mayApplyTo(a.ID) {
					if how := exclusion(f, p, a.ID); how == "" {
						r.BlockingPolicyIDs = append(r.BlockingPolicyIDs, p.ID)
					}
				}
			}
		}
		if f.RulesGap == "" && f.RulesFail == "" {
			r.AlertRuleIDs = []string{}
			for _, rule := range f.Rules {
				if ok, _ := rule.watches(a); ok && rule.Enabled {
					r.AlertRuleIDs = append(r.AlertRuleIDs, rule.ID)
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// distinctFold drops empty and repeated ids (case-insensitively), keeping the first spelling and the order.
func distinctFold(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		id = strings.TrimSpace(id)
		key := strings.ToLower(id)
		if id == "" || seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, id)
	}
	return out
}
