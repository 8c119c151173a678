package tenantsim

import (
	"fmt"
	"sort"
	"strings"
)

// OData $expand, shared by every Graph area that has navigation properties: parsing the query option against
// the navigation properties a type declares, and rendering it into "@odata.context".

// expandOption is one item of $expand, with its nested $expand.
type expandOption struct {
	name   string
	nested []expandOption
}

// navTree lists the navigation properties $expand accepts at one level, with those accepted below each.
type navTree map[string]navTree

// parseExpand reads $expand ("principal,roleDefinition", "policy($expand=rules)", "*").
func parseExpand(raw, typeName string, navs navTree) ([]expandOption, *graphError) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	var out []expandOption
	for _, item := range splitTopLevel(raw, ',') {
		item = strings.TrimSpace(item)
		name, inner := item, ""
		if open := strings.IndexByte(item, '('); open >= 0 && strings.HasSuffix(item, ")") {
			name, inner = strings.TrimSpace(item[:open]), item[open+1:len(item)-1]
		}
		if name == "*" {
			names := make([]string, 0, len(navs))
			for nav := range navs {
				names = append(names, nav)
			}
			sort.Strings(names)
			for _, nav := range names {
				out = append(out, expandOption{name: nav})
			}
			continue
		}
		canonical := ""
		for nav := range navs {
			if strings.EqualFold(nav, name) {
				canonical = nav
			}
		}
		if canonical == "" {
			return nil, badRequest(fmt.Sprintf("Could not find a property named '%s' on type '%s'.", name, typeName))
		}
		opt := expandOption{name: canonical}
		for _, option := range splitTopLevel(inner, ';') {
			key, value, _ := strings.Cut(strings.TrimSpace(option), "=")
			if strings.EqualFold(strings.TrimSpace(key), "$expand") {
				nested, gerr := parseExpand(value, typeName, navs[canonical])
				if gerr != nil {
					return nil, gerr
				}
				opt.nested = nested
			}
		}
		out = append(out, opt)
	}
	return out, nil
}

// splitTopLevel splits s at sep outside parentheses.
func splitTopLevel(s string, sep byte) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case sep:
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	if strings.TrimSpace(s[start:]) != "" {
		out = append(out, s[start:])
	}
	return out
}

// expandContext renders select and expand items for "@odata.context", e.g. "(id,principal())".
func expandContext(selected []string, opts []expandOption) string {
	parts := append([]string{}, selected...)
	for _, opt := range opts {
		inner := expandContext(nil, opt.nested)
		if inner != "" {
			inner = inner[1 : len(inner)-1]
		}
		parts = append(parts, opt.name+"("+inner+")")
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ",") + ")"
}

// expander fills one expanded navigation property of a source object; the caller holds the directory lock.
type expander func(src map[string]any, opt expandOption) any
