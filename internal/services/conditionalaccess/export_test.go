package conditionalaccess

// What the external tests drive directly.
var (
	ApplyExclusions = applyExclusions
	ListPolicies    = listPolicies
)

func (p policySummary) PolicyID() string { return p.ID }
