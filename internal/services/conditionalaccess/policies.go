package conditionalaccess

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/microsoftgraph/msgraph-sdk-go/identity"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
)

// Match selectors.
const (
	matchAll           = "all"
	matchRequiresMFA   = "requires_mfa"
	matchBlocksAccess  = "blocks_access"
	matchGrantControls = "grant_controls"

	stateEnabled    = "enabled"
	stateReportOnly = "enabledForReportingButNotEnforced"
	stateDisabled   = "disabled"
)

// policySummary is what selection needs of a policy.
type policySummary struct {
	ID, DisplayName, State string
	Controls               []string // grantControls.builtInControls
	HasAuthStrength        bool
	Excluded               usersCondition // only excludeUsers and excludeGroups, for Read's drift check
	Modified               time.Time      // modifiedDateTime; zero for a policy never changed since its creation
	// WorkloadIdentity is a policy for service principals (conditions.clientApplications): it applies to no user,
	// and Entra refuses user or group exclusions in it, so no selection takes it.
	WorkloadIdentity bool
}

// listPolicies reads every Conditional Access policy, all pages.
func listPolicies(ctx context.Context, c *clients.Client) ([]policySummary, error) {
	raw, err := readPolicies(ctx, c)
	return summarize(raw), err
}

// sharedListMaxAge is how old a policy list may be for the refreshes and plans of other exclusions to use it
// (instanceState.policies). They only select policies and compare exclusions; writes read each policy afresh.
const sharedListMaxAge = 10 * time.Second

// sharedPolicies is readPolicies, shared by every exclusion of the provider instance while seconds old.
func sharedPolicies(ctx context.Context, c *clients.Client) ([]models.ConditionalAccessPolicyable, error) {
	return stateOf(c).policies.Get(ctx, sharedListMaxAge, func(ctx context.Context) ([]models.ConditionalAccessPolicyable, error) {
		return readPolicies(ctx, c)
	})
}

// readPolicies is listPolicies as Graph answered it.
func readPolicies(ctx context.Context, c *clients.Client) ([]models.ConditionalAccessPolicyable, error) {
	paced := &identity.ConditionalAccessPoliciesRequestBuilderGetRequestConfiguration{Options: clients.PacedRead(Requests(c))}
	all := clients.Graph(c).Identity().ConditionalAccess().Policies()
	var out []models.ConditionalAccessPolicyable
	err := clients.ListAll(ctx,
		func(ctx context.Context) (models.ConditionalAccessPolicyCollectionResponseable, error) {
			return all.Get(ctx, paced)
		},
		func(ctx context.Context, link string) (models.ConditionalAccessPolicyCollectionResponseable, error) {
			return all.WithUrl(link).Get(ctx, paced)
		},
		func(p models.ConditionalAccessPolicyable) {
			out = append(out, p)
			if m := p.GetModifiedDateTime(); m != nil {
				stateOf(c).policyVersions.See(helpers.Deref(p.GetId()), *m)
			}
		})
	return out, err
}

func summarize(policies []models.ConditionalAccessPolicyable) []policySummary {
	out := make([]policySummary, 0, len(policies))
	for _, p := range policies {
		s := policySummary{ID: helpers.Deref(p.GetId()), DisplayName: helpers.Deref(p.GetDisplayName())}
		if m := p.GetModifiedDateTime(); m != nil {
			s.Modified = *m
		}
		if p.GetState() != nil {
			s.State = p.GetState().String()
		}
		if g := p.GetGrantControls(); g != nil {
			for _, ctl := range g.GetBuiltInControls() {
				s.Controls = append(s.Controls, ctl.String())
			}
			s.HasAuthStrength = g.GetAuthenticationStrength() != nil
		}
		s.Excluded = usersCondition{"excludeUsers": []any{}, "excludeGroups": []any{}}
		if cond := p.GetConditions(); cond != nil && cond.GetUsers() != nil {
			s.Excluded = usersCondition{"excludeUsers": anySlice(cond.GetUsers().GetExcludeUsers()), "excludeGroups": anySlice(cond.GetUsers().GetExcludeGroups())}
		}
		if cond := p.GetConditions(); cond != nil && cond.GetClientApplications() != nil {
			apps := cond.GetClientApplications()
			s.WorkloadIdentity = len(apps.GetIncludeServicePrincipals()) > 0 || apps.GetServicePrincipalFilter() != nil
		}
		out = append(out, s)
	}
	return out
}

// selection is which policies a resource targets.
type selection struct {
	PolicyIDs         []string
	Match             string
	IncludeReportOnly bool
	IncludeDisabled   bool
	Except            []string
}

// selects reports whether the policy is one of the targets.
func (s selection) selects(p policySummary) bool {
	if p.WorkloadIdentity {
		return false
	}
	if s.Match == "" {
		return helpers.ContainsFold(s.PolicyIDs, p.ID)
	}
	if helpers.ContainsFold(s.Except, p.ID) {
		return false
	}
	switch p.State {
	case stateReportOnly:
		if !s.IncludeReportOnly {
			return false
		}
	case stateDisabled:
		if !s.IncludeDisabled {
			return false
		}
	}
	switch s.Match {
	case matchRequiresMFA:
		return slices.Contains(p.Controls, "mfa") || p.HasAuthStrength
	case matchBlocksAccess:
		return slices.Contains(p.Controls, "block")
	case matchGrantControls:
		return len(p.Controls) > 0 || p.HasAuthStrength
	}
	return true
}

// targets returns the selected policies sorted by id, and for explicit policy_ids the ids that do not exist.
// workloadIdentityIDs returns the policy_ids that name policies for workload identities, which cannot exclude the
// accounts.
func (s selection) workloadIdentityIDs(all []policySummary) []string {
	var out []string
	for _, p := range all {
		if p.WorkloadIdentity && helpers.ContainsFold(s.PolicyIDs, p.ID) {
			out = append(out, fmt.Sprintf("%s (%q)", p.ID, p.DisplayName))
		}
	}
	return out
}

func (s selection) targets(all []policySummary) (selected []policySummary, missing []string) {
	for _, p := range all {
		if s.selects(p) {
			selected = append(selected, p)
		}
	}
	sort.Slice(selected, func(i, j int) bool { return selected[i].ID < selected[j].ID })
	for _, id := range s.PolicyIDs {
		if !slices.ContainsFunc(all, func(p policySummary) bool { return strings.EqualFold(p.ID, id) }) {
			missing = append(missing, id)
		}
	}
	return selected, missing
}

// usersCondition is conditions.users exactly as Graph returned it. The typed SDK models serialize only the
// properties they saw change (kiota's backing store), so echoing the whole object back unchanged, as a PATCH of
// conditions.users must, is done on raw JSON: only the two exclude arrays are edited.
type usersCondition map[string]any

func (u usersCondition) ids(key string) []string {
	raw, _ := u[key].([]any)
	out := make([]string, 0, len(raw))
	for _, v := range raw {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// withExclusions returns a copy with ids added to (add=true) or removed from the exclude lists, and whether
// anything changed. Ids compare case-insensitively; everyone else's entries keep their order.
func (u usersCondition) withExclusions(users, groups []string, add bool) (usersCondition, bool) {
	out := usersCondition{}
	for k, v := range u {
		out[k] = v
	}
	changed := false
	for key, ids := range map[string][]string{"excludeUsers": users, "excludeGroups": groups} {
		current := u.ids(key)
		next := current
		if add {
			for _, id := range ids {
				if !helpers.ContainsFold(next, id) {
					next = append(slices.Clone(next), id)
				}
			}
		} else {
			next = slices.DeleteFunc(slices.Clone(current), func(v string) bool { return helpers.ContainsFold(ids, v) })
		}
		if len(next) != len(current) {
			changed = true
		}
		list := make([]any, len(next))
		for i, v := range next {
			list[i] = v
		}
		out[key] = list
	}
	return out, changed
}

// hasAll reports whether every id is excluded.
func (u usersCondition) hasAll(users, groups []string) bool {
	for _, id := range users {
		if !helpers.ContainsFold(u.ids("excludeUsers"), id) {
			return false
		}
	}
	for _, id := range groups {
		if !helpers.ContainsFold(u.ids("excludeGroups"), id) {
			return false
		}
	}
	return true
}

// Every Conditional Access request of a provider instance waits for a slot of its limiter, Requests
// (clients.PacedRead, clients.PacedWrite): the tenant allows one request per second, reads included, for all apps
// together.

// readUsers GETs one policy's conditions.users as raw JSON, and when the policy was last changed.
func readUsers(ctx context.Context, c *clients.Client, id string) (usersCondition, time.Time, error) {
	item := clients.Graph(c).Identity().ConditionalAccess().Policies().ByConditionalAccessPolicyId(id)
	ri, err := item.ToGetRequestInformation(ctx, nil)
	if err != nil {
		return nil, time.Time{}, err
	}
	ri.AddRequestOptions(clients.PacedRead(Requests(c)))
	var policy struct {
		Modified   *time.Time `json:"modifiedDateTime"`
		Conditions struct {
			Users usersCondition `json:"users"`
		} `json:"conditions"`
	}
	if err := clients.GetJSON(ctx, c, ri, &policy); err != nil {
		return nil, time.Time{}, err
	}
	if policy.Conditions.Users == nil {
		return nil, time.Time{}, fmt.Errorf("policy %s has no conditions.users", id)
	}
	var modified time.Time
	if policy.Modified != nil {
		modified = *policy.Modified
	}
	return policy.Conditions.Users, modified, nil
}

// writeUsers PATCHes conditions.users and nothing else. kiota's retry handler is off for this request: a
// throttled PATCH replayed seconds later would write a list read before another writer's change and undo that
// change; the caller reads again instead (clients.ThrottledFor). (The client's retry of a connection reset still resends
// the same body, at most a few hundred milliseconds later.)
func writeUsers(ctx context.Context, c *clients.Client, id string, users usersCondition) error {
	item := clients.Graph(c).Identity().ConditionalAccess().Policies().ByConditionalAccessPolicyId(id)
	ri, err := item.ToGetRequestInformation(ctx, nil)
	if err != nil {
		return err
	}
	ri.AddRequestOptions(clients.PacedWrite(Requests(c)))
	return clients.PatchJSON(ctx, c, ri, map[string]any{"conditions": map[string]any{"users": users}})
}

// maxAttempts bounds the writes to one policy against writers outside this provider.
const maxAttempts = 6

// maxThrottled bounds the writes Conditional Access may refuse with 429 (or 503, 504) for one policy.
const maxThrottled = 30

// applyExclusions adds (add=true) or removes the ids in each policy, and returns the policies it went through
// before any failure (written or found as wanted).
//
// Each policy is read, then only conditions.users is written, under the policy's lock. Each request waits for its
// slot (clients.PacedRead, PacedWrite), so a write builds on a read about one slot old: Graph offers no ETag for
// Conditional Access, and at one request per second this is the narrowest race window any client has.
//
// Graph answers the PATCH with no body and replaces the lists whole, so only a later read shows whether an edit
// stuck. One list of all policies after the writes verifies them all (not one read per policy: every request
// costs a second of the tenant's budget). That read may come from a replica the write has not reached
// (Entra is eventually consistent): a policy whose modifiedDateTime is not newer than the read our write built on
// shows the replica's lag, not another writer, so it is read again later and never rewritten from that answer.
// Only a newer version without our edit means someone wrote over it; that policy is written again, from a fresh
// read. Verification ends when every policy shows the edit, or after clients.ReplicationWindow.
func applyExclusions(ctx context.Context, c *clients.Client, policyIDs, users, groups []string, add bool) ([]string, error) {
	var done []string
	pending := map[string]written{}
	for _, id := range policyIDs {
		w, err := writeOnce(ctx, c, id, users, groups, add)
		if err != nil && !(clients.IsNotFound(err) && !add) {
			return done, explainWrite(id, err)
		}
		done = append(done, id)
		if err == nil && w.wrote {
			pending[strings.ToLower(id)] = w
		}
	}
	start, wait := time.Now(), time.Duration(0)
	for len(pending) > 0 {
		if time.Since(start) > clients.ReplicationWindow {
			return done, fmt.Errorf("the Conditional Access policies %s still do not show this provider's change after %s; run apply again",
				strings.Join(slices.Sorted(maps.Keys(pending)), ", "), clients.ReplicationWindow)
		}
		if wait > 0 && !clients.Sleep(ctx, wait) {
			return done, ctx.Err()
		}
		wait = clients.Backoff.Next(wait)
		all, err := listPolicies(ctx, c)
		if err != nil {
			return done, fmt.Errorf("%s", clients.Explain("listing Conditional Access policies to verify the change", PermCARead, err))
		}
		listed := map[string]policySummary{}
		for _, p := range all {
			listed[strings.ToLower(p.ID)] = p
		}
		for key, w := range pending {
			p, found := listed[key]
			switch {
			case !found && !add: // deleted meanwhile: nothing of ours left in it
				delete(pending, key)
			case found && isDone(p.Excluded, users, groups, add):
				delete(pending, key)
			case found && !p.Modified.After(w.base):
				// A replica our write has not reached: read again later.
			case w.writes == maxAttempts:
				return done, fmt.Errorf("policy %s kept changing under us: %d read-modify-write attempts did not stick; run apply again", key, maxAttempts)
			default:
				// Someone wrote over our edit (or the list missed the policy): write it again, from a read no
				// older than this one.
				again, err := writeOnce(ctx, c, key, users, groups, add)
				if err != nil {
					return done, explainWrite(key, err)
				}
				again.writes += w.writes
				pending[key] = again
				if !again.wrote {
					delete(pending, key)
				}
			}
		}
	}
	return done, nil
}

// isDone reports whether every id is excluded (add) or none is (remove).
func isDone(u usersCondition, users, groups []string, add bool) bool {
	if add {
		return u.hasAll(users, groups)
	}
	return !anyExcluded(u, users, groups)
}

// written is one policy's write: the modifiedDateTime of the read it built on, and how many writes so far.
type written struct {
	base   time.Time
	wrote  bool
	writes int
}

func explainWrite(policyID string, err error) error {
	return fmt.Errorf("%s", clients.Explain("updating Conditional Access policy "+policyID, permCAWrite, err))
}

// writeOnce reads the policy and, unless it already is as wanted, writes conditions.users with the ids added or
// removed. A read older than a version this instance has seen (instanceState.policyVersions) comes from a
// lagging replica and is read again: writing from it would drop what the newer version holds. A throttled write
// (429, 503, 504) is never replayed as is: the loop reads again after the wait, because the list it would have
// sent may be stale by then (another terraform apply, or another team's script, wrote meanwhile) and writing it
// would silently drop their exclusions.
func writeOnce(ctx context.Context, c *clients.Client, policyID string, users, groups []string, add bool) (written, error) {
	unlock := stateOf(c).policyLocks.Lock(policyID)
	defer unlock()
	throttled, stale := 0, time.Duration(0)
	for {
		current, modified, err := readUsers(ctx, c, policyID)
		if err != nil {
			return written{}, err
		}
		if modified.Before(stateOf(c).policyVersions.See(policyID, modified)) {
			if stale = clients.Backoff.Next(stale); !clients.Sleep(ctx, stale) {
				return written{}, ctx.Err()
			}
			continue
		}
		next, changed := current.withExclusions(users, groups, add)
		if !changed {
			return written{base: modified}, nil
		}
		err = writeUsers(ctx, c, policyID, next)
		if wait, ok := clients.ThrottledFor(err, throttled); ok && throttled < maxThrottled {
			throttled++
			if !clients.Sleep(ctx, wait) {
				return written{}, err
			}
			continue
		}
		if err != nil {
			return written{}, err
		}
		stateOf(c).policies.Forget()
		return written{base: modified, wrote: true, writes: 1}, nil
	}
}

func anyExcluded(u usersCondition, users, groups []string) bool {
	for _, id := range users {
		if helpers.ContainsFold(u.ids("excludeUsers"), id) {
			return true
		}
	}
	for _, id := range groups {
		if helpers.ContainsFold(u.ids("excludeGroups"), id) {
			return true
		}
	}
	return false
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
