// Package helpers holds the small functions every service package uses, so that each exists once.
package helpers

// Deref is *s, or "" for nil: msgraph-sdk-go models return every string property as a pointer.
func Deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
