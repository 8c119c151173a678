// Package posture holds the breakglass_posture data source: Microsoft's emergency access recommendations, checked
// against the tenant for a set of accounts, as pass/fail/warn/unknown verdicts usable in check blocks.
//
// It only reads, and reads through the other areas' rules: Conditional Access requests wait on
// conditionalaccess.Requests, and shared permission names come from the area that owns the object. It keeps no
// state of its own between calls.
package posture
