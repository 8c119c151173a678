package rolemanagement

import "github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"

// The Graph application permissions the role calls need. Role definitions and assignments are this package's
// objects, so the permission to read them lives here for every area that reads them.
var (
	PermRoleRead = clients.Permission{Name: "RoleManagement.Read.Directory", Alternative: "RoleManagement.ReadWrite.Directory"}
	// PIM schedule requests accept the narrower RoleAssignmentSchedule permission; roleAssignments (direct) only
	// RoleManagement.ReadWrite.Directory.
	permRoleScheduleWrite = clients.Permission{Name: "RoleAssignmentSchedule.ReadWrite.Directory", Alternative: "RoleManagement.ReadWrite.Directory"}
	permRoleWrite         = clients.Permission{Name: "RoleManagement.ReadWrite.Directory"}
)
