// Package helpers holds the small functions every service package uses, so that each exists once.
package helpers

import (
	"slices"
	"strings"
)

// Deref is *s, or "" for nil: msgraph-sdk-go models return every string property as a pointer.
func Deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ContainsFold is true when list holds v in any letter case: Entra ids and names compare case-insensitively.
func ContainsFold(list []string, v string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, v) })
}
