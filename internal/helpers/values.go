package helpers

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// OptionalString is null for "" (Graph had no value) and the string otherwise.
func OptionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// OptionalTime is an RFC 3339 UTC time, or null when Graph had none (nil or the zero time).
func OptionalTime(t *time.Time) types.String {
	if t == nil || t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}
