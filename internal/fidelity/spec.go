package fidelity

import "embed"

// specFS holds the references the checkers read; spec/SOURCES.md names where each comes from.
//
//go:embed spec/graph/v1.0-Prod.csdl.gz spec/arm/*.json
var specFS embed.FS

const (
	csdlFile = "spec/graph/v1.0-Prod.csdl.gz"
	armDir   = "spec/arm"
)
