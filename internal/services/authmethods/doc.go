// Package authmethods holds breakglass_authentication_method_targets: the emergency accounts' place in the
// include targets of the tenant's FIDO2 and X.509 certificate method configurations (the authentication methods
// policy), which other teams share.
//
// A PATCH of a method configuration replaces includeTargets whole, the API has no ETag and reads may come from a
// replica that lags, so every change is a read-modify-write under a per-configuration lock of the provider
// instance (instanceState), built only on a read the instance cannot tell is stale, and verified by reading
// again; it never disables a method and never touches excludeTargets or anyone else's target.
package authmethods
