// Package administrativeunits holds breakglass_restricted_management_unit: a restricted management administrative
// unit holding the emergency accounts (and optionally the Conditional Access exclusion group), so that no tenant-wide
// administrator or application permission can change them, and a role scoped to the unit for the identity that must
// keep managing them (the provider's own, for password rotation). The scoped role is made with rolemanagement's
// DirectAssignment.
package administrativeunits
