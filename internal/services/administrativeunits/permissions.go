package administrativeunits

import "github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"

// The Graph application permissions the unit calls need ("Create administrativeUnit", "Add a member", "Get
// administrativeUnit", "List members").
var (
	permUnitRead  = clients.Permission{Name: "AdministrativeUnit.Read.All", Alternative: "AdministrativeUnit.ReadWrite.All"}
	permUnitWrite = clients.Permission{Name: "AdministrativeUnit.ReadWrite.All"}
)
