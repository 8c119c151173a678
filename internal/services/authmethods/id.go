package authmethods

import (
	"fmt"
	"slices"
	"strings"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/validate"
)

// inputs are the arguments that say what the resource manages, as plain Go values.
type inputs struct {
	method string
	users  []string
	group  string
}

// targets are the include targets the inputs stand for.
func (in inputs) targets() []target {
	var out []target
	for _, u := range in.users {
		out = append(out, target{targetUser, u})
	}
	if in.group != "" {
		out = append(out, target{targetGroup, in.group})
	}
	return out
}

// encodeID writes the inputs as `method=fido2;users=a,b;group=c` (as breakglass_ca_policy_exclusion encodes its
// own): readable, stable (ids sorted and lower-cased, empty parts left out) and enough to rebuild the resource
// on import.
func encodeID(in inputs) string {
	parts := []string{"method=" + in.method}
	if len(in.users) > 0 {
		users := make([]string, len(in.users))
		for i, u := range in.users {
			users[i] = strings.ToLower(u)
		}
		slices.Sort(users)
		parts = append(parts, "users="+strings.Join(users, ","))
	}
	if in.group != "" {
		parts = append(parts, "group="+strings.ToLower(in.group))
	}
	return strings.Join(parts, ";")
}

func decodeID(id string) (inputs, error) {
	usage := fmt.Errorf("%q is not an authentication method targets id: expected method=<fido2|x509_certificate>;users=<ids>;group=<id> "+
		"(user ids comma-separated; users or group required)", id)
	var in inputs
	for _, part := range strings.Split(id, ";") {
		key, value, ok := strings.Cut(part, "=")
		if !ok || value == "" {
			return inputs{}, usage
		}
		switch key {
		case "method":
			if _, known := methods[value]; !known {
				return inputs{}, usage
			}
			in.method = value
		case "users":
			in.users = strings.Split(value, ",")
			for _, u := range in.users {
				if !validate.IsGUID(u) {
					return inputs{}, fmt.Errorf("%q in users is not a GUID: %w", u, usage)
				}
			}
		case "group":
			if !validate.IsGUID(value) {
				return inputs{}, fmt.Errorf("%q in group is not a GUID: %w", value, usage)
			}
			in.group = value
		default:
			return inputs{}, usage
		}
	}
	if in.method == "" || len(in.users) == 0 && in.group == "" {
		return inputs{}, usage
	}
	return in, nil
}
