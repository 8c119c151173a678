//go:build tools

// Package tools pins the project's development tools in a module of their own, so that
// their (large) dependency graphs never enter the provider's go.mod. Nothing imports it:
// the "tools" build tag keeps it out of every build and lets `go mod tidy` keep the pins.
//
// How the tools are run (see GNUmakefile, TOOLS_RUN):
//
//	go run -modfile=tools/go.mod github.com/golangci/golangci-lint/v2/cmd/golangci-lint run
//	go run -modfile=tools/go.mod github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs generate ...
//
// Since Go 1.24 `go run` caches the linked executable in the build cache (GOCACHE), so a
// second run starts in well under a second and a fresh clone on a machine with a warm
// GOCACHE compiles nothing. A bin/ copy built with `go build -o` would add a second cache
// to invalidate by hand whenever tools/go.mod changes; `go run` keys on the module
// versions itself, which is why the Makefile uses it.
//
// goreleaser is deliberately not pinned here: building it takes over 4 minutes cold on the
// 2-core CI machine, so it is not part of CI; see the header of .goreleaser.yml.
package tools

import (
	_ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
	_ "github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs"
)
