// Package conditionalaccess holds breakglass_ca_policy_exclusion: exclusions of emergency accounts from
// Conditional Access policies that someone else owns.
package conditionalaccess

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
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
	// WorkloadIdentity is a policy for service principals (conditions.clientApplications): it applies to no user,
	// and Entra refuses user or group exclusions in it, so no selection takes it.
	WorkloadIdentity bool
}

// listPolicies reads every Conditional Access policy, all pages.
func listPolicies(ctx context.Context, c *clients.Client) ([]policySummary, error) {
	raw, err := readPolicies(ctx, c)
	return summarize(raw), err
}

// readPolicies is listPolicies as Graph answered it, for a refresh to hand to the plan (clients.Memo.CAPolicies).
func readPolicies(ctx context.Context, c *clients.Client) ([]models.ConditionalAccessPolicyable, error) {
	resp, err := clients.Graph(c).Identity().ConditionalAccess().Policies().Get(ctx, nil)
	if err != nil {
		return nil, err
	}
	it, err := msgraphcore.NewPageIterator[models.ConditionalAccessPolicyable](resp, c.GraphAdapter, models.CreateConditionalAccessPolicyCollectionResponseFromDiscriminatorValue)
	if err != nil {
		return nil, err
	}
	var out []models.ConditionalAccessPolicyable
	err = it.Iterate(ctx, func(p models.ConditionalAccessPolicyable) bool {
		out = append(out, p)
		return true
	})
	return out, err
}

func summarize(policies []models.ConditionalAccessPolicyable) []policySummary {
	out := make([]policySummary, 0, len(policies))
	for _, p := range policies {
		s := policySummary{ID: deref(p.GetId()), DisplayName: deref(p.GetDisplayName())}
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
		return containsFold(s.PolicyIDs, p.ID)
	}
	if containsFold(s.Except, p.ID) {
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
		if p.WorkloadIdentity && containsFold(s.PolicyIDs, p.ID) {
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
				if !containsFold(next, id) {
					next = append(slices.Clone(next), id)
				}
			}
		} else {
			next = slices.DeleteFunc(slices.Clone(current), func(v string) bool { return containsFold(ids, v) })
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
		if !containsFold(u.ids("excludeUsers"), id) {
			return false
		}
	}
	for _, id := range groups {
		if !containsFold(u.ids("excludeGroups"), id) {
			return false
		}
	}
	return true
}

var errorMapping = abstractions.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

// readUsers GETs one policy's conditions.users as raw JSON.
func readUsers(ctx context.Context, c *clients.Client, id string) (usersCondition, error) {
	item := clients.Graph(c).Identity().ConditionalAccess().Policies().ByConditionalAccessPolicyId(id)
	ri, err := item.ToGetRequestInformation(ctx, nil)
	if err != nil {
		return nil, err
	}
	raw, err := c.GraphAdapter.SendPrimitive(ctx, ri, "[]byte", errorMapping)
	if err != nil {
		return nil, err
	}
	body, _ := raw.([]byte)
	var policy struct {
		Conditions struct {
			Users usersCondition `json:"users"`
		} `json:"conditions"`
	}
	if err := json.Unmarshal(body, &policy); err != nil {
		return nil, fmt.Errorf("decoding policy %s: %w", id, err)
	}
	if policy.Conditions.Users == nil {
		return nil, fmt.Errorf("policy %s has no conditions.users", id)
	}
	return policy.Conditions.Users, nil
}

// writeUsers PATCHes conditions.users and nothing else. The caller paces it (CAWrites) before its last read.
// kiota's retry handler is off for this request: a throttled PATCH replayed seconds later would write a list read
// before another writer's change and undo that change; the caller reads again instead (throttledFor). (The
// client's retry of a connection reset still resends the same body, at most a few hundred milliseconds later.)
func writeUsers(ctx context.Context, c *clients.Client, id string, users usersCondition) error {
	item := clients.Graph(c).Identity().ConditionalAccess().Policies().ByConditionalAccessPolicyId(id)
	ri, err := item.ToGetRequestInformation(ctx, nil)
	if err != nil {
		return err
	}
	ri.AddRequestOptions([]abstractions.RequestOption{&khttp.RetryHandlerOptions{
		ShouldRetry: func(time.Duration, int, *http.Request, *http.Response) bool { return false },
	}})
	body, err := json.Marshal(map[string]any{"conditions": map[string]any{"users": users}})
	if err != nil {
		return err
	}
	ri.Method = abstractions.PATCH
	ri.Headers.TryAdd("Accept", "application/json")
	ri.SetStreamContentAndContentType(body, "application/json")
	return c.GraphAdapter.SendNoContent(ctx, ri, errorMapping)
}

// maxAttempts bounds the read-modify-write loop against writers outside this provider.
const maxAttempts = 6

// maxThrottled bounds the writes Conditional Access may refuse with 429 (or 503, 504) for one policy.
const maxThrottled = 30

// applyExclusions adds (or removes) ids in one policy: under the policy's lock, wait for a write slot; read;
// write only conditions.users; read back, because Graph answers the PATCH with no body and replaces the lists
// whole, so only a read shows whether our edit stuck; start over (new slot, new read) if a writer outside this
// provider undid it. Reading after the slot keeps the list written one round trip old, so a change someone else
// made before it is built upon rather than overwritten. Graph offers no ETag for Conditional Access, so this
// narrows the race window to one round trip rather than closing it; the read-back catches what undoes our write.
//
// A throttled write (429, 503, 504) is never replayed as is: the loop reads again after the wait, because the
// list it would have sent may be stale by then (another terraform apply, or another team's script, wrote
// meanwhile) and writing it would silently drop their exclusions.
//
// inPlace says the last refresh saw the policy as wanted already: then the first read comes before any write
// slot, so that an update touching many such policies does not wait a slot (about a second) for each.
func applyExclusions(ctx context.Context, c *clients.Client, policyID string, users, groups []string, add, inPlace bool) error {
	unlock := c.PolicyLocks.Lock(policyID)
	defer unlock()
	throttled, writes, needSlot, wrote := 0, 0, !inPlace, false
	for {
		if needSlot {
			if err := c.CAWrites.Wait(ctx); err != nil {
				return err
			}
			needSlot = false
		}
		current, err := readUsers(ctx, c, policyID)
		if err != nil {
			return err
		}
		done := current.hasAll(users, groups)
		if !add {
			done = !anyExcluded(current, users, groups)
		}
		if done {
			return nil
		}
		if wrote || inPlace {
			// The read-back shows our write undone, or the policy changed since the refresh: build on a read made
			// after the next slot, not on this one.
			wrote, inPlace, needSlot = false, false, true
			continue
		}
		if writes == maxAttempts {
			return fmt.Errorf("policy %s kept changing under us: %d read-modify-write attempts did not stick; run apply again", policyID, maxAttempts)
		}
		next, _ := current.withExclusions(users, groups, add)
		err = writeUsers(ctx, c, policyID, next)
		if wait, ok := throttledFor(err, throttled); ok && throttled < maxThrottled {
			throttled++
			select {
			case <-ctx.Done():
				return err
			case <-time.After(wait):
			}
			needSlot = true
			continue
		}
		if err != nil {
			return err
		}
		writes++
		wrote = true
	}
}

// throttledFor reports whether err is an answer kiota would have retried (429, 503, 504) and how long to wait:
// Retry-After when sent (Conditional Access sends none on 429), else a back-off from one second doubling to
// eight, by how many times in a row it happened.
func throttledFor(err error, times int) (time.Duration, bool) {
	var odata *odataerrors.ODataError
	if !errors.As(err, &odata) {
		return 0, false
	}
	switch odata.ResponseStatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
	default:
		return 0, false
	}
	if h := odata.GetResponseHeaders(); h != nil {
		for _, v := range h.Get("Retry-After") {
			if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs >= 0 {
				return time.Duration(secs) * time.Second, true
			}
		}
	}
	return min(time.Second<<min(times, 3), 8*time.Second), true
}

func anyExcluded(u usersCondition, users, groups []string) bool {
	for _, id := range users {
		if containsFold(u.ids("excludeUsers"), id) {
			return true
		}
	}
	for _, id := range groups {
		if containsFold(u.ids("excludeGroups"), id) {
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

func containsFold(list []string, v string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, v) })
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
