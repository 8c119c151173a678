package conditionalaccess

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/validate"
)

// encodeID writes the inputs as `users=a,b;groups=c;match=requires_mfa;report_only=true;disabled=false;except=d`
// (or `…;policies=p,q`): readable, stable (ids sorted and lower-cased, empty parts left out) and enough to
// rebuild the resource on import.
func encodeID(in inputs) string {
	var parts []string
	add := func(key string, ids []string) {
		if len(ids) == 0 {
			return
		}
		norm := make([]string, len(ids))
		for i, id := range ids {
			norm[i] = strings.ToLower(id)
		}
		slices.Sort(norm)
		parts = append(parts, key+"="+strings.Join(norm, ","))
	}
	add("users", in.users)
	add("groups", in.groups)
	if in.sel.Match == "" {
		add("policies", in.sel.PolicyIDs)
	} else {
		parts = append(parts, "match="+in.sel.Match,
			"report_only="+strconv.FormatBool(in.sel.IncludeReportOnly), "disabled="+strconv.FormatBool(in.sel.IncludeDisabled))
		add("except", in.sel.Except)
	}
	return strings.Join(parts, ";")
}

func decodeID(id string) (inputs, error) {
	in := inputs{sel: selection{IncludeReportOnly: true}}
	usage := fmt.Errorf("%q is not an exclusion id: expected users=<ids>;groups=<ids>;policies=<ids> or "+
		"users=<ids>;groups=<ids>;match=<all|requires_mfa|blocks_access|grant_controls>;report_only=<bool>;disabled=<bool>;except=<ids> "+
		"(ids comma-separated; users or groups required)", id)
	for _, part := range strings.Split(id, ";") {
		key, value, ok := strings.Cut(part, "=")
		if !ok || value == "" {
			return inputs{}, usage
		}
		ids := strings.Split(value, ",")
		for _, v := range ids {
			if (key == "users" || key == "groups" || key == "policies" || key == "except") && !validate.IsGUID(v) {
				return inputs{}, fmt.Errorf("%q in %s is not a GUID: %w", v, key, usage)
			}
		}
		var err error
		switch key {
		case "users":
			in.users = ids
		case "groups":
			in.groups = ids
		case "policies":
			in.sel.PolicyIDs = ids
		case "except":
			in.sel.Except = ids
		case "match":
			if !slices.Contains([]string{matchAll, matchRequiresMFA, matchBlocksAccess, matchGrantControls}, value) {
				return inputs{}, usage
			}
			in.sel.Match = value
		case "report_only":
			in.sel.IncludeReportOnly, err = strconv.ParseBool(value)
		case "disabled":
			in.sel.IncludeDisabled, err = strconv.ParseBool(value)
		default:
			return inputs{}, usage
		}
		if err != nil {
			return inputs{}, usage
		}
	}
	if len(in.users)+len(in.groups) == 0 || (in.sel.Match == "") == (len(in.sel.PolicyIDs) == 0) {
		return inputs{}, usage
	}
	return in, nil
}
