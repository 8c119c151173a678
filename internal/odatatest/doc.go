// Package odatatest checks OData $filter strings built from untrusted text: Skeleton separates a filter's
// structure from its string literals, so a test can show that no value changed the structure. Shared by the fuzz
// targets of every package that builds filters.
package odatatest
