// Package alert implements breakglass_alert: a severity-0 Azure Monitor alert on any sign-in or change of the
// emergency accounts, built from a tenant diagnostic setting, an action group and two scheduled query rules.
//
// It holds the KQL the rules run and the metadata breakglass_posture reads back from them (ParseMetadata), and
// the diagnostic-setting names ModifyPlan hands to the apply that follows (instanceState). It talks to ARM only.
package alert
