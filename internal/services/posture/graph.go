package posture

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	abstractions "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/domains"
	"github.com/microsoftgraph/msgraph-sdk-go/identity"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/account"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/conditionalaccess"
	roles "github.com/entra-breakglass/terraform-provider-breakglass/internal/services/rolemanagement"
)

// Licences named in the unknown details: Graph refuses these reads with 403 when the tenant lacks them.
const (
	licenceP1  = "the tenant needs Microsoft Entra ID P1 or P2 for it"
	licencePIM = "PIM for Microsoft Entra roles is part of Microsoft Entra ID P2 / ID Governance"
)

// gap turns a Graph error into the reason a check is unknown when it is a refusal (403: a missing permission or
// licence); any other error is returned, as the read cannot go on.
func gap(operation string, perm clients.Permission, licence string, err error) (string, error) {
	ge, ok := clients.AsGraphError(err)
	if !ok || !clients.IsForbidden(err) {
		return "", fmt.Errorf("%s", clients.Explain(operation, perm, err))
	}
	return refusal(operation, perm, licence, ge), nil
}

// refusal words a 403: the permission to grant (and the licence, when one is needed), then what Graph said.
func refusal(operation string, perm clients.Permission, licence string, ge clients.GraphError) string {
	also := ""
	if perm.Alternative != "" {
		also = " (or " + perm.Alternative + ")"
	}
	if licence != "" {
		licence = "; " + licence
	}
	return fmt.Sprintf("%s was refused: grant the provider's identity the Microsoft Graph application permission %s%s%s "+
		"(Graph answered %d %s: %s)", operation, perm.Name, also, licence, ge.Status, ge.Code, strings.TrimSuffix(ge.Message, "."))
}

// userSelect is what the checks read of the accounts. signInActivity is last: it is dropped when refused.
var userSelect = []string{"id", "displayName", "userPrincipalName", "mailNickname", "accountEnabled", "onPremisesSyncEnabled",
	"assignedLicenses", "authorizationInfo", "signInActivity"}

// maxIDsPerFilter keeps `id in (...)` within the 15 values directory queries accept in one in clause.
const maxIDsPerFilter = 15

// readUsers reads the accounts with `$filter=id in (...)`: one request for up to 15 accounts. signInActivity needs
// AuditLog.Read.All (and Entra ID P1); when Graph refuses it, the users are read again without it and only the
// sign-in check becomes unknown.
func readUsers(ctx context.Context, c *clients.Client, ids []string, f *facts) error {
	byID := map[string]models.Userable{}
	selectFields := userSelect
	for start := 0; start < len(ids); start += maxIDsPerFilter {
		chunk := ids[start:min(start+maxIDsPerFilter, len(ids))]
		quoted := make([]string, len(chunk))
		for i, id := range chunk {
			quoted[i] = clients.ODataString(id)
		}
		filter := "id in (" + strings.Join(quoted, ",") + ")"
		for {
			resp, err := clients.Graph(c).Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
				QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Filter: &filter, Select: selectFields},
			})
			if err == nil {
				err = iterate(ctx, c, resp, models.CreateUserCollectionResponseFromDiscriminatorValue, func(u models.Userable) {
					byID[strings.ToLower(deref(u.GetId()))] = u
				})
			}
			if err == nil {
				break
			}
			if ge, ok := clients.AsGraphError(err); ok && (ge.Status == 400 || clients.IsForbidden(err)) && selectFields[len(selectFields)-1] == "signInActivity" {
				// 403: no AuditLog.Read.All or no P1 licence; 400: a query Graph serves only without signInActivity.
				// Either way the accounts are read again without it and only recent_test_sign_in is unknown.
				f.SignInGap = refusal("reading the accounts' signInActivity", permSignInRead, licenceP1, ge)
				selectFields = selectFields[:len(selectFields)-1]
				continue
			}
			var gerr error
			f.UsersGap, gerr = gap("reading the accounts", account.PermUserRead, "", err)
			for _, id := range ids {
				f.Accounts = append(f.Accounts, userFacts{ID: id}) // known by id only
			}
			return gerr
		}
	}
	for _, id := range ids {
		u, ok := byID[strings.ToLower(id)]
		if !ok {
			f.Accounts = append(f.Accounts, userFacts{ID: id})
			continue
		}
		a := userFacts{
			ID: id, Found: true, DisplayName: deref(u.GetDisplayName()), UserPrincipalName: deref(u.GetUserPrincipalName()),
			MailNickname: deref(u.GetMailNickname()), Enabled: u.GetAccountEnabled() != nil && *u.GetAccountEnabled(),
			Synced: u.GetOnPremisesSyncEnabled() != nil && *u.GetOnPremisesSyncEnabled(), Licenses: len(u.GetAssignedLicenses()),
		}
		if info := u.GetAuthorizationInfo(); info != nil {
			a.CertificateUserIDs = len(info.GetCertificateUserIds())
		}
		if s := u.GetSignInActivity(); s != nil {
			a.LastSuccessfulSignIn, a.LastSignIn = realTime(s.GetLastSuccessfulSignInDateTime()), realTime(s.GetLastSignInDateTime())
		}
		f.Accounts = append(f.Accounts, a)
	}
	return nil
}

// realTime drops Graph's "never" values (null and 0001-01-01).
func realTime(t *time.Time) *time.Time {
	if t == nil || t.Year() <= 1 {
		return nil
	}
	return t
}

func readInitialDomain(ctx context.Context, c *clients.Client, f *facts) error {
	resp, err := clients.Graph(c).Domains().Get(ctx, &domains.DomainsRequestBuilderGetRequestConfiguration{
		QueryParameters: &domains.DomainsRequestBuilderGetQueryParameters{Select: []string{"id", "isInitial"}},
	})
	if err != nil {
		f.DomainsGap, err = gap("reading the tenant's domains", account.PermDomainRead, "", err)
		return err
	}
	for _, d := range resp.GetValue() {
		if d.GetIsInitial() != nil && *d.GetIsInitial() {
			f.InitialDomain = deref(d.GetId())
		}
	}
	return nil
}

// readGlobalAdmins reads the active Global Administrator assignments from PIM's schedule instances, which show
// how each is held (directly or through a group) and until when, whether made through PIM or not. A tenant
// without PIM licensing refuses them; then the directory's roleAssignments (always permanent there) stand in.
func readGlobalAdmins(ctx context.Context, c *clients.Client, f *facts) error {
	filter := fmt.Sprintf("roleDefinitionId eq '%s'", globalAdministratorRoleID)
	resp, err := clients.Graph(c).RoleManagement().Directory().RoleAssignmentScheduleInstances().Get(ctx,
		&rolemanagement.DirectoryRoleAssignmentScheduleInstancesRequestBuilderGetRequestConfiguration{
			QueryParameters: &rolemanagement.DirectoryRoleAssignmentScheduleInstancesRequestBuilderGetQueryParameters{
				Filter: &filter, Select: []string{"id", "principalId", "directoryScopeId", "memberType", "endDateTime"},
			},
		})
	if err == nil {
		return iterate(ctx, c, resp, models.CreateUnifiedRoleAssignmentScheduleInstanceCollectionResponseFromDiscriminatorValue,
			func(r models.UnifiedRoleAssignmentScheduleInstanceable) {
				f.GlobalAdmins = append(f.GlobalAdmins, roleInstance{
					PrincipalID: deref(r.GetPrincipalId()), Scope: deref(r.GetDirectoryScopeId()), MemberType: deref(r.GetMemberType()),
					End: realTime(r.GetEndDateTime()),
				})
			})
	}
	ge, ok := clients.AsGraphError(err)
	if !ok || ge.Status != 400 && ge.Status != 403 {
		return fmt.Errorf("%s", clients.Explain("reading the Global Administrator assignments", permRoleScheduleRead, err))
	}
	pimRefusal := refusal("reading PIM's role assignment schedule instances", permRoleScheduleRead, licencePIM, ge)
	direct, err := clients.Graph(c).RoleManagement().Directory().RoleAssignments().Get(ctx, &rolemanagement.DirectoryRoleAssignmentsRequestBuilderGetRequestConfiguration{
		QueryParameters: &rolemanagement.DirectoryRoleAssignmentsRequestBuilderGetQueryParameters{Filter: &filter},
	})
	if err == nil {
		err = iterate(ctx, c, direct, models.CreateUnifiedRoleAssignmentCollectionResponseFromDiscriminatorValue, func(r models.UnifiedRoleAssignmentable) {
			f.GlobalAdmins = append(f.GlobalAdmins, roleInstance{PrincipalID: deref(r.GetPrincipalId()), Scope: deref(r.GetDirectoryScopeId())})
		})
	}
	switch {
	case err == nil:
		f.GlobalAdminNote = "read from the directory's roleAssignments, which show no end dates, because " + pimRefusal
	case clients.IsForbidden(err):
		f.GlobalAdmins = nil
		f.GlobalAdminGap = pimRefusal
	default:
		return fmt.Errorf("%s", clients.Explain("reading the Global Administrator assignments", roles.PermRoleRead, err))
	}
	return nil
}

// laggingListWait bounds how long readPolicies lists again while the list shows a policy older than a version
// this provider instance has seen.
const laggingListWait = 15 * time.Second

// readPolicies reads every Conditional Access policy. A policy older than a version this provider instance has
// seen (conditionalaccess.PolicyVersions, e.g. the exclusion's own write in the same apply) comes from a replica that
// lags: the list is read again, 1 s, 2 s, 4 s later, so that the checks do not report an exclusion the tenant
// already holds as missing.
func readPolicies(ctx context.Context, c *clients.Client, f *facts) error {
	paced := clients.PacedRead(conditionalaccess.Requests(c)) // Conditional Access: one request per second per tenant, reads included
	list := func(ctx context.Context) (policies []caPolicy, lagging bool, err error) {
		resp, err := clients.Graph(c).Identity().ConditionalAccess().Policies().Get(ctx, &identity.ConditionalAccessPoliciesRequestBuilderGetRequestConfiguration{
			QueryParameters: &identity.ConditionalAccessPoliciesRequestBuilderGetQueryParameters{
				Select: []string{"id", "displayName", "state", "conditions", "grantControls", "modifiedDateTime"},
			},
			Options: paced,
		})
		if err == nil {
			err = iterate(ctx, c, resp, models.CreateConditionalAccessPolicyCollectionResponseFromDiscriminatorValue, func(p models.ConditionalAccessPolicyable) {
				policies = append(policies, policyOf(p))
				var modified time.Time
				if m := p.GetModifiedDateTime(); m != nil {
					modified = *m
				}
				lagging = lagging || modified.Before(conditionalaccess.PolicyVersions(c).See(deref(p.GetId()), modified))
			}, paced...)
		}
		return policies, lagging, err
	}
	policies, lagging, err := list(ctx)
	deadline := time.Now().Add(laggingListWait)
	for wait := clients.Backoff.Next(0); err == nil && lagging && time.Now().Add(wait).Before(deadline); wait = clients.Backoff.Next(wait) {
		if !clients.Sleep(ctx, wait) {
			break
		}
		policies, lagging, err = list(ctx)
	}
	f.Policies = policies
	if err != nil {
		f.Policies = nil
		f.PoliciesGap, err = gap("reading the Conditional Access policies", conditionalaccess.PermCARead, licenceP1, err)
	}
	return err
}

func policyOf(p models.ConditionalAccessPolicyable) caPolicy {
	out := caPolicy{ID: deref(p.GetId()), DisplayName: deref(p.GetDisplayName())}
	if p.GetState() != nil {
		out.State = p.GetState().String()
	}
	if cond := p.GetConditions(); cond != nil {
		if u := cond.GetUsers(); u != nil {
			out.IncludeUsers, out.IncludeGroups, out.IncludeRoles = u.GetIncludeUsers(), u.GetIncludeGroups(), u.GetIncludeRoles()
			out.ExcludeUsers, out.ExcludeGroups, out.ExcludeRoles = u.GetExcludeUsers(), u.GetExcludeGroups(), u.GetExcludeRoles()
		}
		if apps := cond.GetClientApplications(); apps != nil {
			out.WorkloadIdentities = len(apps.GetIncludeServicePrincipals()) > 0 || apps.GetServicePrincipalFilter() != nil
		}
	}
	if g := p.GetGrantControls(); g != nil {
		for _, ctl := range g.GetBuiltInControls() {
			out.GrantControls = append(out.GrantControls, ctl.String())
		}
		out.AuthenticationStrength = g.GetAuthenticationStrength() != nil
		out.CustomFactorsOrTermsOU = len(g.GetCustomAuthenticationFactors()) > 0 || len(g.GetTermsOfUse()) > 0
	}
	return out
}

// readFIDO2 lists each account's FIDO2 methods in $batch requests of 20.
func readFIDO2(ctx context.Context, c *clients.Client, ids []string, f *facts) error {
	paths := make([]string, len(ids))
	for i, id := range ids {
		paths[i] = "/users/" + url.PathEscape(id) + "/authentication/fido2Methods" // no $select: the method takes no query options
	}
	results, err := batchGet(ctx, c, paths)
	if err != nil {
		return err
	}
	f.FIDO2 = map[string]int{}
	for i, r := range results {
		switch {
		case r.status == 404:
			f.FIDO2[strings.ToLower(ids[i])] = 0
		case r.status == 403:
			f.FIDO2Gap = refusal("reading the accounts' FIDO2 methods", permAuthMethodRead, "", r.graphError())
		case r.status >= 300:
			return fmt.Errorf("reading the FIDO2 methods of %s: HTTP %d %s", ids[i], r.status, r.graphError().Message)
		default:
			var page struct {
				Value    []json.RawMessage `json:"value"`
				NextLink string            `json:"@odata.nextLink"`
			}
			if err := json.Unmarshal(r.body, &page); err != nil {
				return fmt.Errorf("decoding the FIDO2 methods of %s: %w", ids[i], err)
			}
			f.FIDO2[strings.ToLower(ids[i])] = len(page.Value) // one key is enough: no need to follow nextLink
		}
	}
	return nil
}

// readExcludedGroups reads the direct user members of the groups that relevant policies exclude, but only when
// some account is not excluded from such a policy directly: then a group may be what excludes it. Nested groups
// are not expanded (Graph's transitiveMembers would; the accounts' exclusion groups are normally flat).
func readExcludedGroups(ctx context.Context, c *clients.Client, f *facts, allowed []string) error {
	if f.PoliciesGap != "" {
		return nil
	}
	var groups []string
	seen := map[string]bool{}
	for _, p := range f.Policies {
		if p.State != policyEnabled && p.State != policyReportOnly || !p.couldBlock() || containsFold(allowed, p.ID) {
			continue
		}
		for _, a := range f.subjects() {
			if !a.Found || !p.mayApplyTo(a.ID) || containsFold(p.ExcludeUsers, a.ID) {
				continue
			}
			for _, g := range p.ExcludeGroups {
				if key := strings.ToLower(g); !seen[key] {
					seen[key] = true
					groups = append(groups, g)
				}
			}
		}
	}
	f.GroupMembers = map[string]map[string]bool{}
	if len(groups) == 0 {
		return nil
	}
	paths := make([]string, len(groups))
	for i, g := range groups {
		paths[i] = "/groups/" + url.PathEscape(g) + "/members/microsoft.graph.user?$select=id&$top=999"
	}
	results, err := batchGet(ctx, c, paths)
	if err != nil {
		return err
	}
	for i, r := range results {
		members := map[string]bool{}
		f.GroupMembers[strings.ToLower(groups[i])] = members
		switch {
		case r.status == 404: // a deleted group excludes nobody
			continue
		case r.status == 403:
			f.GroupsGap = refusal("reading the members of excluded groups", permGroupMemberRead, "", r.graphError())
			continue
		case r.status >= 300:
			return fmt.Errorf("reading the members of group %s: HTTP %d %s", groups[i], r.status, r.graphError().Message)
		}
		body := r.body
		for {
			var page struct {
				Value []struct {
					ID string `json:"id"`
				} `json:"value"`
				NextLink string `json:"@odata.nextLink"`
			}
			if err := json.Unmarshal(body, &page); err != nil {
				return fmt.Errorf("decoding the members of group %s: %w", groups[i], err)
			}
			for _, m := range page.Value {
				members[strings.ToLower(m.ID)] = true
			}
			if page.NextLink == "" {
				break
			}
			if body, err = getRaw(ctx, c, page.NextLink); err != nil {
				return fmt.Errorf("%s", clients.Explain("reading the members of group "+groups[i], permGroupMemberRead, err))
			}
		}
	}
	return nil
}

// iterate walks every page of a collection with the SDK's page iterator; options go with every page request
// (the first page's request carries its own).
func iterate[T any](ctx context.Context, c *clients.Client, first any, factory serialization.ParsableFactory, visit func(T), options ...abstractions.RequestOption) error {
	it, err := msgraphcore.NewPageIterator[T](first, c.GraphAdapter, factory)
	if err != nil {
		return err
	}
	it.SetReqOptions(options)
	return it.Iterate(ctx, func(item T) bool {
		visit(item)
		return true
	})
}

// batchResult is one answer inside a $batch response.
type batchResult struct {
	status  int
	headers map[string]string
	body    json.RawMessage
}

func (r batchResult) graphError() clients.GraphError {
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	_ = json.Unmarshal(r.body, &e)
	return clients.GraphError{Status: r.status, Code: e.Error.Code, Message: e.Error.Message}
}

// maxBatch is JSON batching's limit of requests per $batch.
const maxBatch = 20

// maxBatchRetries bounds the retries of requests that Graph throttled inside a batch (kiota's retry handler sees
// only the batch's own status, which is 200).
const maxBatchRetries = 4

// batchGet sends GET requests (paths relative to /v1.0) in $batch requests of 20 and returns the answers in the
// order of paths, retrying the ones Graph throttled (429) or could not serve (503, 504) after their Retry-After.
func batchGet(ctx context.Context, c *clients.Client, paths []string) ([]batchResult, error) {
	results := make([]batchResult, len(paths))
	pending := make([]int, len(paths))
	for i := range paths {
		pending[i] = i
	}
	for attempt := 0; len(pending) > 0; attempt++ {
		var retry []int
		wait := time.Duration(0)
		for start := 0; start < len(pending); start += maxBatch {
			chunk := pending[start:min(start+maxBatch, len(pending))]
			answers, err := sendBatch(ctx, c, paths, chunk)
			if err != nil {
				return nil, err
			}
			for _, i := range chunk {
				r := answers[strconv.Itoa(i)]
				if (r.status == 429 || r.status == 503 || r.status == 504) && attempt < maxBatchRetries {
					retry = append(retry, i)
					wait = max(wait, retryAfter(r.headers))
					continue
				}
				results[i] = r
			}
		}
		if len(retry) > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
		}
		pending = retry
	}
	return results, nil
}

func retryAfter(headers map[string]string) time.Duration {
	for k, v := range headers {
		if strings.EqualFold(k, "Retry-After") {
			if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
				return min(time.Duration(s)*time.Second, time.Minute)
			}
		}
	}
	return 2 * time.Second
}

var errorMapping = abstractions.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}

// sendBatch posts one $batch of the given path indexes; answers are keyed by the index as a string.
func sendBatch(ctx context.Context, c *clients.Client, paths []string, indexes []int) (map[string]batchResult, error) {
	type item struct {
		ID     string `json:"id"`
		Method string `json:"method"`
		URL    string `json:"url"`
	}
	envelope := struct {
		Requests []item `json:"requests"`
	}{}
	for _, i := range indexes {
		envelope.Requests = append(envelope.Requests, item{ID: strconv.Itoa(i), Method: "GET", URL: paths[i]})
	}
	body, err := json.Marshal(envelope)
	if err != nil {
		return nil, err
	}
	ri := abstractions.NewRequestInformation()
	ri.Method = abstractions.POST
	ri.UrlTemplate = "{+baseurl}/$batch"
	ri.PathParameters = map[string]string{"baseurl": c.GraphAdapter.GetBaseUrl()}
	ri.Headers.TryAdd("Accept", "application/json")
	ri.SetStreamContentAndContentType(body, "application/json")
	raw, err := c.GraphAdapter.SendPrimitive(ctx, ri, "[]byte", errorMapping)
	if err != nil {
		return nil, fmt.Errorf("%s", clients.Explain("sending a Graph $batch", account.PermUserRead, err))
	}
	data, _ := raw.([]byte)
	var resp struct {
		Responses []struct {
			ID      string            `json:"id"`
			Status  int               `json:"status"`
			Headers map[string]string `json:"headers"`
			Body    json.RawMessage   `json:"body"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(data, &resp); err != nil {
		return nil, fmt.Errorf("decoding a Graph $batch response: %w", err)
	}
	out := make(map[string]batchResult, len(resp.Responses))
	for _, r := range resp.Responses {
		out[r.ID] = batchResult{status: r.Status, headers: r.Headers, body: r.Body}
	}
	for _, i := range indexes {
		if _, ok := out[strconv.Itoa(i)]; !ok {
			return nil, fmt.Errorf("the Graph $batch response has no answer for %s", paths[i])
		}
	}
	return out, nil
}

// getRaw GETs an absolute Graph URL (an @odata.nextLink) and returns the body.
func getRaw(ctx context.Context, c *clients.Client, link string) ([]byte, error) {
	u, err := url.Parse(link)
	if err != nil {
		return nil, err
	}
	ri := abstractions.NewRequestInformation()
	ri.Method = abstractions.GET
	ri.SetUri(*u)
	ri.Headers.TryAdd("Accept", "application/json")
	raw, err := c.GraphAdapter.SendPrimitive(ctx, ri, "[]byte", errorMapping)
	if err != nil {
		return nil, err
	}
	data, _ := raw.([]byte)
	return data, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
