package clients

import "strings"

// ValuesPerIn is how many values one "$filter=x in (...)" may hold: Graph limits a filter clause to 15
// expressions (Microsoft Graph known issues, "Some limitations apply to query parameters").
const ValuesPerIn = 15

// InFilter is "property in ('a','b')", each value an OData string literal.
func InFilter(property string, values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = ODataString(v)
	}
	return property + " in (" + strings.Join(quoted, ",") + ")"
}
