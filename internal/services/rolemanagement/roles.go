package rolemanagement

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
)

// roleDefinition is what the provider needs of a directory role.
type roleDefinition struct {
	ID   string
	Name string
}

// roleCatalog is the tenant's role definitions as the PIM resource resolves names and ids.
type roleCatalog []roleDefinition

func roleDefinitions(ctx context.Context, c *clients.Client) (roleCatalog, error) {
	defs, err := tenantRoleDefinitions(ctx, c)
	if err != nil {
		return nil, err
	}
	catalog := make(roleCatalog, 0, len(defs))
	for _, def := range defs {
		catalog = append(catalog, fromGraph(def))
	}
	return catalog, nil
}

// tenantRoleDefinitions reads every role definition of the tenant once per provider instance
// (instanceState.roleDefinitions): the PIM assignments and the audit data sources of a configuration all resolve
// roles from that one list.
func tenantRoleDefinitions(ctx context.Context, c *clients.Client) ([]models.UnifiedRoleDefinitionable, error) {
	return stateOf(c).roleDefinitions.Get(ctx, func(ctx context.Context) ([]models.UnifiedRoleDefinitionable, error) {
		var defs []models.UnifiedRoleDefinitionable
		err := clients.ListAll(ctx,
			func(ctx context.Context) (models.UnifiedRoleDefinitionCollectionResponseable, error) {
				return clients.Graph(c).RoleManagement().Directory().RoleDefinitions().Get(ctx, nil)
			},
			func(ctx context.Context, link string) (models.UnifiedRoleDefinitionCollectionResponseable, error) {
				return clients.Graph(c).RoleManagement().Directory().RoleDefinitions().WithUrl(link).Get(ctx, nil)
			},
			func(def models.UnifiedRoleDefinitionable) { defs = append(defs, def) })
		return defs, err
	})
}

func fromGraph(def models.UnifiedRoleDefinitionable) roleDefinition {
	r := roleDefinition{ID: helpers.Deref(def.GetTemplateId()), Name: helpers.Deref(def.GetDisplayName())}
	if r.ID == "" {
		r.ID = helpers.Deref(def.GetId())
	}
	return r
}

// byName finds a role by display name, ignoring case; otherwise it says which names come close.
func (c roleCatalog) byName(name string) (roleDefinition, error) {
	for _, r := range c {
		if strings.EqualFold(r.Name, strings.TrimSpace(name)) {
			return r, nil
		}
	}
	suggestions := c.closest(name, 3)
	hint := ""
	if len(suggestions) > 0 {
		hint = " Did you mean " + strings.Join(quoteAll(suggestions), ", ") + "?"
	}
	return roleDefinition{}, fmt.Errorf("no directory role is named %q in this tenant.%s Role names are the display names in "+
		"Microsoft Entra ID > Roles and administrators (e.g. \"Global Administrator\"), or use role_definition_id with the template id", name, hint)
}

func (c roleCatalog) byID(id string) (roleDefinition, bool) {
	i := slices.IndexFunc(c, func(r roleDefinition) bool { return strings.EqualFold(r.ID, id) })
	if i < 0 {
		return roleDefinition{}, false
	}
	return c[i], true
}

// closest ranks role names by edit distance to name (case-insensitive), best first.
func (c roleCatalog) closest(name string, n int) []string {
	type scored struct {
		name string
		dist int
	}
	var all []scored
	for _, r := range c {
		d := levenshtein(strings.ToLower(name), strings.ToLower(r.Name))
		if strings.Contains(strings.ToLower(r.Name), strings.ToLower(strings.TrimSpace(name))) {
			d = min(d, 1)
		}
		all = append(all, scored{r.Name, d})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].dist < all[j].dist })
	var out []string
	for _, s := range all {
		if len(out) == n || s.dist > max(4, len(name)/2) {
			break
		}
		out = append(out, s.name)
	}
	return out
}

// levenshtein is the edit distance; no well-kept library in go.mod offers one, and it is a dozen lines.
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}
