// Package applications holds breakglass_privileged_applications: the service principals that hold tenant-wide
// power through Microsoft Graph application permissions or directory roles, ranked by tier.
//
// It only reads; role definitions and the permission to read them come from rolemanagement.
package applications
