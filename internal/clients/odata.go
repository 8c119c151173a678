package clients

import "strings"

// ODataString is s as an OData string literal: in quotes, each quote doubled (OData ABNF), so that no value can
// end the literal and add a clause to a $filter.
func ODataString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
