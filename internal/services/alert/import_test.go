package alert

import "testing"

// TestRuleIDPattern: an import id is a URL path, so it must not carry "." or ".." segments that would address
// another object than the sign-in rule.
func TestRuleIDPattern(t *testing.T) {
	const prefix = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/"
	for id, want := range map[string]bool{
		prefix + "rg-security/providers/Microsoft.Insights/scheduledQueryRules/emergency-access-sign-in":  true,
		prefix + "RG.Sec(1)/providers/microsoft.insights/scheduledQueryRules/a_b.c-1":                     true,
		prefix + "rg-security/providers/Microsoft.Insights/scheduledQueryRules/..":                        false,
		prefix + "rg-security/providers/Microsoft.Insights/scheduledQueryRules/.":                         false,
		prefix + "../providers/Microsoft.Insights/scheduledQueryRules/emergency-access-sign-in":           false,
		prefix + "rg./providers/Microsoft.Insights/scheduledQueryRules/emergency-access-sign-in":          false,
		prefix + "rg-security/providers/Microsoft.Insights/scheduledQueryRules/rule/../../actionGroups/x": false,
		prefix + "rg-security/providers/Microsoft.Insights/scheduledQueryRules/rule%2F..":                 false,
	} {
		if got := ruleIDPattern.MatchString(id); got != want {
			t.Errorf("ruleIDPattern.MatchString(%q) = %v, want %v", id, got, want)
		}
	}
}
