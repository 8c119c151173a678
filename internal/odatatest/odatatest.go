package odatatest

import (
	"fmt"
	"strings"
)

// LiteralMarker stands for every string literal in a filter's skeleton.
const LiteralMarker = "'…'"

// Skeleton splits a $filter into its structure and its string literals by the OData ABNF (a literal is
// '…' in which a doubled quote stands for one): the skeleton is the filter with each literal replaced by
// LiteralMarker, literals their decoded values in order. An unterminated literal is an error.
func Skeleton(filter string) (skeleton string, literals []string, err error) {
	var b strings.Builder
	for i := 0; i < len(filter); i++ {
		if filter[i] != '\'' {
			b.WriteByte(filter[i])
			continue
		}
		var v strings.Builder
		closed := false
		for i++; i < len(filter); i++ {
			if filter[i] == '\'' {
				if i+1 < len(filter) && filter[i+1] == '\'' {
					v.WriteByte('\'')
					i++
					continue
				}
				closed = true
				break
			}
			v.WriteByte(filter[i])
		}
		if !closed {
			return "", nil, fmt.Errorf("unterminated string literal in %q", filter)
		}
		literals = append(literals, v.String())
		b.WriteString(LiteralMarker)
	}
	return b.String(), literals, nil
}
