package posture

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// scheduledQueryRuleList is the answer of a scheduledQueryRules list (2023-12-01), reduced to what the check reads.
type scheduledQueryRuleList struct {
	Value []struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		Properties struct {
			DisplayName string `json:"displayName"`
			Enabled     *bool  `json:"enabled"`
			Criteria    struct {
				AllOf []struct {
					Query string `json:"query"`
				} `json:"allOf"`
			} `json:"criteria"`
			Actions struct {
				ActionGroups []string `json:"actionGroups"`
			} `json:"actions"`
		} `json:"properties"`
	} `json:"value"`
	NextLink string `json:"nextLink"`
}

// maxRulePages bounds the nextLink walk (a subscription with more than 100 pages of rules is not one to scan here).
const maxRulePages = 100

// readAlertRules lists the scheduled query rules (log search alerts) of the provider's subscription, or of one
// resource group of it. Anything that keeps it from listing them (no subscription configured, ARM unreachable, no
// role) makes the sign_in_alert check unknown, with the reason; it never fails the read.
func readAlertRules(ctx context.Context, c *clients.Client, resourceGroup string, f *facts) {
	if c.SubscriptionID == "" {
		f.RulesGap = "no subscription is configured, so there is nowhere to look for alert rules: set subscription_id in the " +
			"provider block (or ARM_SUBSCRIPTION_ID) to the subscription holding the Log Analytics alert rules"
		return
	}
	scope := "/subscriptions/" + c.SubscriptionID
	if resourceGroup != "" {
		scope += "/resourceGroups/" + url.PathEscape(resourceGroup)
	}
	f.RulesScope = scope
	get := func(ctx context.Context, path string) (scheduledQueryRuleList, error) {
		var list scheduledQueryRuleList
		err := c.ARMDo(ctx, http.MethodGet, path, clients.APIVersionScheduledQueryRules, nil, &list)
		return list, err
	}
	err := clients.FollowPages(ctx,
		func(ctx context.Context) (scheduledQueryRuleList, error) {
			return get(ctx, scope+"/providers/Microsoft.Insights/scheduledQueryRules")
		},
		get,
		func(list scheduledQueryRuleList) (string, error) {
			for _, v := range list.Value {
				r := alertRule{ID: v.ID, Name: v.Name, Enabled: v.Properties.Enabled == nil || *v.Properties.Enabled,
					ActionGroups: len(v.Properties.Actions.ActionGroups)}
				if len(v.Properties.Criteria.AllOf) > 0 {
					r.Query = v.Properties.Criteria.AllOf[0].Query
				}
				f.Rules = append(f.Rules, r)
			}
			if u, err := url.Parse(list.NextLink); err == nil && list.NextLink != "" {
				return u.EscapedPath() + "?" + u.RawQuery, nil // ARMDo adds the host and sets api-version again
			}
			return "", nil
		}, maxRulePages)
	if err != nil {
		f.Rules = nil
		var re *azcore.ResponseError
		switch {
		case resourceGroup != "" && clients.IsARMNotFound(err):
			f.RulesFail = fmt.Sprintf("The resource group %s does not exist in subscription %s, so no alert rule can be there "+
				"(check alert_resource_group_name).", resourceGroup, c.SubscriptionID)
		case errors.As(err, &re) && re.StatusCode == http.StatusForbidden:
			f.RulesGap = clients.ExplainARM("listing the scheduled query rules of "+scope, "Monitoring Reader (or Reader)", scope, err)
		default:
			f.RulesGap = fmt.Sprintf("listing the scheduled query rules of %s failed: %s", scope, armReason(err))
		}
	}
}

// armReason is an ARM error without azcore's multi-line dump.
func armReason(err error) string {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return fmt.Sprintf("HTTP %d %s", re.StatusCode, re.ErrorCode)
	}
	first, _, _ := strings.Cut(err.Error(), "\n")
	return first
}
