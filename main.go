// Command terraform-provider-breakglass serves the breakglass provider to Terraform over plugin protocol 6.
package main

import (
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/provider"
)

// version is set at build time by goreleaser (-X main.version=...).
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "start the provider with support for debuggers like delve")
	flag.Parse()

	// tf6server.Serve is what providerserver.Serve calls for protocol 6 (the manifest's only protocol), with the
	// same server; calling it directly keeps protocol 5's server and conversions out of the binary (0.5 MB).
	var opts []tf6server.ServeOpt
	if debug {
		opts = append(opts, tf6server.WithManagedDebug())
	}
	serve := func() tfprotov6.ProviderServer { return providerserver.NewProtocol6(provider.New(version)())() }
	if err := tf6server.Serve(provider.Address, serve, opts...); err != nil {
		log.Fatal(err.Error())
	}
}
