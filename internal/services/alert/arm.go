package alert

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// The ARM bodies the resource sends and reads, shaped after the stable REST specs (aadiam 2017-04-01,
// actionGroups 2023-01-01, scheduledQueryRules 2023-12-01). Only the fields the resource uses are declared; the
// answers' read-only fields are ignored.

type diagnosticSetting struct {
	Properties diagnosticProperties `json:"properties"`
}

type diagnosticProperties struct {
	WorkspaceID string       `json:"workspaceId"`
	Logs        []logSetting `json:"logs"`
}

type logSetting struct {
	Category        string          `json:"category"`
	Enabled         bool            `json:"enabled"`
	RetentionPolicy retentionPolicy `json:"retentionPolicy"`
}

// retentionPolicy is required by the 2017-04-01 schema; it only applies to storage account destinations.
type retentionPolicy struct {
	Enabled bool  `json:"enabled"`
	Days    int64 `json:"days"`
}

type actionGroup struct {
	Location   string                `json:"location"`
	Tags       map[string]string     `json:"tags,omitempty"`
	Properties actionGroupProperties `json:"properties"`
}

type actionGroupProperties struct {
	GroupShortName   string            `json:"groupShortName"`
	Enabled          bool              `json:"enabled"`
	EmailReceivers   []emailReceiverJS `json:"emailReceivers"`
	SMSReceivers     []phoneReceiverJS `json:"smsReceivers"`
	VoiceReceivers   []phoneReceiverJS `json:"voiceReceivers"`
	WebhookReceivers []webhookJS       `json:"webhookReceivers"`
}

type emailReceiverJS struct {
	Name                 string `json:"name"`
	EmailAddress         string `json:"emailAddress"`
	UseCommonAlertSchema bool   `json:"useCommonAlertSchema"`
}

type phoneReceiverJS struct {
	Name        string `json:"name"`
	CountryCode string `json:"countryCode"`
	PhoneNumber string `json:"phoneNumber"`
}

type webhookJS struct {
	Name                 string `json:"name"`
	ServiceURI           string `json:"serviceUri"`
	UseCommonAlertSchema bool   `json:"useCommonAlertSchema"`
}

type queryRule struct {
	Location   string              `json:"location"`
	Tags       map[string]string   `json:"tags,omitempty"`
	Kind       string              `json:"kind"`
	Properties queryRuleProperties `json:"properties"`
}

type queryRuleProperties struct {
	DisplayName         string   `json:"displayName"`
	Description         string   `json:"description,omitempty"`
	Severity            int64    `json:"severity"`
	Enabled             bool     `json:"enabled"`
	Scopes              []string `json:"scopes"`
	EvaluationFrequency string   `json:"evaluationFrequency"`
	WindowSize          string   `json:"windowSize"`
	Criteria            criteria `json:"criteria"`
	AutoMitigate        bool     `json:"autoMitigate"`
	// SkipQueryValidation: right after a new diagnostic setting the workspace may not have the SigninLogs or
	// AuditLogs tables yet, and ARM would refuse the rule; the provider's tests bind every query it can write
	// against the tables' published schemas instead.
	SkipQueryValidation bool       `json:"skipQueryValidation"`
	Actions             ruleAction `json:"actions"`
}

type criteria struct {
	AllOf []condition `json:"allOf"`
}

type condition struct {
	Query           string         `json:"query"`
	TimeAggregation string         `json:"timeAggregation"`
	Dimensions      []dimension    `json:"dimensions"`
	Operator        string         `json:"operator"`
	Threshold       float64        `json:"threshold"`
	FailingPeriods  failingPeriods `json:"failingPeriods"`
}

type dimension struct {
	Name     string   `json:"name"`
	Operator string   `json:"operator"`
	Values   []string `json:"values"`
}

type failingPeriods struct {
	NumberOfEvaluationPeriods int64 `json:"numberOfEvaluationPeriods"`
	MinFailingPeriodsToAlert  int64 `json:"minFailingPeriodsToAlert"`
}

type ruleAction struct {
	ActionGroups []string `json:"actionGroups"`
}

// query returns the rule's (single) condition query.
func (q queryRule) query() string {
	if len(q.Properties.Criteria.AllOf) == 0 {
		return ""
	}
	return q.Properties.Criteria.AllOf[0].Query
}

// armObject is one ARM object of the alert: how to name it in messages, which api-version it speaks and which
// role the provider's identity needs to write it.
type armObject struct {
	kind       string
	id         string
	apiVersion string
	role       string
	scope      string
}

const diagnosticSettingsPath = "/providers/microsoft.aadiam/diagnosticSettings"

func diagnosticSettingObject(name string) armObject {
	return armObject{
		kind: "diagnostic setting", id: diagnosticSettingsPath + "/" + name,
		apiVersion: clients.APIVersionAADDiagnosticSettings, role: "Contributor", scope: "/providers/Microsoft.aadiam (tenant root: " +
			"`az role assignment create --assignee <app id> --role Contributor --scope /providers/Microsoft.aadiam`, by a Global Administrator with elevated access)",
	}
}

func resourceGroupID(subscriptionID, resourceGroup string) string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s", subscriptionID, resourceGroup)
}

func actionGroupObject(subscriptionID, resourceGroup, name string) armObject {
	rg := resourceGroupID(subscriptionID, resourceGroup)
	return armObject{kind: "action group", id: rg + "/providers/Microsoft.Insights/actionGroups/" + name,
		apiVersion: clients.APIVersionActionGroups, role: "Monitoring Contributor", scope: "resource group " + rg}
}

func queryRuleObject(subscriptionID, resourceGroup, name string) armObject {
	rg := resourceGroupID(subscriptionID, resourceGroup)
	return armObject{kind: "scheduled query rule", id: rg + "/providers/Microsoft.Insights/scheduledQueryRules/" + name,
		apiVersion: clients.APIVersionScheduledQueryRules, role: "Monitoring Contributor", scope: "resource group " + rg +
			" (and Log Analytics Reader or Monitoring Reader on the workspace)"}
}

// get reads the object into out; found is false on 404.
func (o armObject) get(ctx context.Context, c *clients.Client, out any) (found bool, err error) {
	err = c.ARMDo(ctx, http.MethodGet, o.id, o.apiVersion, nil, out)
	if clients.IsARMNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%s", clients.ExplainARM("reading the "+o.kind+" "+o.id, strings.Replace(o.role, "Contributor", "Reader", 1), o.scope, err))
	}
	return true, nil
}

// mustNotExist refuses to take over an object that exists already: PUT would silently overwrite another team's
// diagnostic setting, action group or rule.
func (o armObject) mustNotExist(ctx context.Context, c *clients.Client) error {
	var existing map[string]any
	found, err := o.get(ctx, c, &existing)
	if err != nil {
		return err
	}
	if found {
		return o.takenError()
	}
	return nil
}

func (o armObject) takenError() error {
	return fmt.Errorf("a %s %s already exists. Choose another name, or import the alert (its id is the sign-in rule's ARM id) "+
		"if this object belongs to it", o.kind, o.id)
}

func (o armObject) put(ctx context.Context, c *clients.Client, body any) error {
	if err := c.ARMDo(ctx, http.MethodPut, o.id, o.apiVersion, body, nil); err != nil {
		return fmt.Errorf("%s", clients.ExplainARM("writing the "+o.kind+" "+o.id, o.role, o.scope, err))
	}
	return nil
}

// remove deletes the object; one that is gone already counts as deleted.
func (o armObject) remove(ctx context.Context, c *clients.Client) error {
	err := c.ARMDo(ctx, http.MethodDelete, o.id, o.apiVersion, nil, nil)
	if err != nil && !clients.IsARMNotFound(err) {
		return fmt.Errorf("%s", clients.ExplainARM("deleting the "+o.kind+" "+o.id, o.role, o.scope, err))
	}
	return nil
}
