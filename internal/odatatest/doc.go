// Package odatatest checks OData $filter strings built from untrusted text: Skeleton separates a filter's
// structure from its string literals, so a test can show that no value changed the structure. Shared by the fuzz
// targets of every package that builds Graph requests from user input, with GraphClient, which shows them each
// request as it arrives. (Not in acctest: these are internal tests of packages acctest imports.)
package odatatest
