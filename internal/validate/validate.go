// Package validate holds the schema validators and value checks more than one package uses, so that each rule and
// its message exist once. They are built on terraform-plugin-framework-validators.
package validate

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// guidPattern is a GUID in its 8-4-4-4-12 form, the form Entra uses for every object and role template id.
var guidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// IsGUID is true for a GUID in its 8-4-4-4-12 form.
func IsGUID(s string) bool { return guidPattern.MatchString(s) }

// GUID accepts a GUID, such as a tenant or client id.
func GUID() validator.String {
	return stringvalidator.RegexMatches(guidPattern, "must be a GUID such as 00000000-0000-0000-0000-000000000000")
}

// ObjectID accepts the object id of a directory object (a user, group, service principal or policy), never its
// name or user principal name.
func ObjectID() validator.String {
	return stringvalidator.RegexMatches(guidPattern, "must be an object id (GUID)")
}

// RoleTemplateID accepts a directory role's template id, never its name.
func RoleTemplateID() validator.String {
	return stringvalidator.RegexMatches(guidPattern, "must be a role template id (GUID)")
}

// notBlankPattern matches a string with something other than white space in it: a character outside what
// unicode.IsSpace (so strings.TrimSpace) counts as white space, which Go's \s alone (ASCII) is not.
var notBlankPattern = regexp.MustCompile(`[^\t\n\v\f\r \x{85}\p{Z}]`)

// NotBlank rejects empty and white-space-only strings: Entra refuses them as display names, and as a version or a
// justification they say nothing.
func NotBlank() validator.String {
	return stringvalidator.RegexMatches(notBlankPattern, "must not be empty or only white space")
}
