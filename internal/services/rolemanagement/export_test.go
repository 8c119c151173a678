package rolemanagement

// RoleNames is the PIM resource's view of the tenant's roles (roleDefinitions), for the external tests.
var RoleNames = roleDefinitions
