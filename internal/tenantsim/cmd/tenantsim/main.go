// Command tenantsim serves the simulated Entra ID tenant until interrupted. When ready it prints one JSON line
// with metadata_host, ca_file, tenant_id, client_id, client_secret and subscription_id.
//
//	go run ./internal/tenantsim/cmd/tenantsim --state-dir /tmp/sim --request-log /tmp/sim/requests.jsonl
//
// --audit-fixtures adds the audit fixtures (tenantsim.Server.AddAuditFixtures); --large-tenant
// users,roleAssignments,eligible,servicePrincipals,appRoleAssignments (e.g. 10000,5000,500,3000,30000) generates a
// large tenant for benchmarks (tenantsim.Server.GenerateLargeTenant) before the Info line is printed.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tenantsim:", err)
		os.Exit(1)
	}
}

// run serves until ctx is done; it writes the Info line to stdout once the listener is up.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	var cfg tenantsim.Config
	var requestLog, largeTenant string
	var auditFixtures bool
	flags := flag.NewFlagSet("tenantsim", flag.ContinueOnError)
	flags.Func("profile", "start the knobs from a named profile (production: Entra's magnitudes, see tenantsim.Profiles); flags after it override", func(name string) error {
		k, ok := tenantsim.Profiles[name]
		if !ok {
			return fmt.Errorf("unknown profile %q (known: production)", name)
		}
		cfg.Knobs = k
		return nil
	})
	flags.StringVar(&cfg.Addr, "addr", "127.0.0.1:0", "listen address")
	flags.StringVar(&cfg.StateDir, "state-dir", "", "directory for ca.pem (default: a temporary directory removed on exit)")
	flags.StringVar(&cfg.SeedFile, "seed", "", "JSON seed file merged over the default fixtures")
	flags.StringVar(&requestLog, "request-log", "", "append a JSON-lines request log to this file")
	flags.DurationVar(&cfg.Knobs.Latency, "latency", 0, "latency added to every Graph, ARM and token request")
	flags.DurationVar(&cfg.Knobs.ReplicationDelay, "replication-delay", 0, "how long new objects stay invisible to reads")
	flags.DurationVar(&cfg.Knobs.PIMReplicationDelay, "pim-replication-delay", 0, "extra time new principals stay unknown to role assignment requests")
	flags.DurationVar(&cfg.Knobs.PIMMinActiveDuration, "pim-min-active-duration", 0, "how old an active PIM assignment must be before adminRemove ends it (Entra: 5m)")
	flags.Float64Var(&cfg.Knobs.ThrottleRate, "throttle-rate", 0, "fraction of Graph/ARM requests answered 429")
	flags.DurationVar(&cfg.Knobs.RetryAfter, "retry-after", 0, "Retry-After of 429 and 503 answers (default 1s)")
	flags.Float64Var(&cfg.Knobs.ServerErrorRate, "server-error-rate", 0, "fraction of Graph/ARM requests answered 503")
	flags.Float64Var(&cfg.Knobs.ResetRate, "reset-rate", 0, "fraction of Graph/ARM requests whose connection is reset")
	flags.Float64Var(&cfg.Knobs.CAWriteRate, "ca-write-rate", 0, "Conditional Access writes per second per tenant before 429 (0 = unlimited; Graph documents 1)")
	flags.BoolVar(&cfg.Knobs.CAThrottleReads, "ca-throttle-reads", false, "count Conditional Access reads against --ca-write-rate too (Graph documents any request)")
	flags.BoolVar(&cfg.Knobs.CAOmitRetryAfter, "ca-omit-retry-after", false, "leave Retry-After off Conditional Access 429 answers, as Graph documents")
	flags.Float64Var(&cfg.Knobs.CAOutsideWriterRate, "ca-outside-writer-rate", 0, "probability that an outside writer adds an exclusion after each GET of a CA policy")
	flags.DurationVar(&cfg.Knobs.StaleReadWindow, "stale-read-window", 0, "how long after a write a read of a user, CA policy or Entra diagnostic setting may see the version before (404 if new)")
	flags.Float64Var(&cfg.Knobs.StaleReadRate, "stale-read-rate", 0, "probability that a read within --stale-read-window is stale, drawn for each read")
	flags.BoolVar(&cfg.Knobs.PrivilegedTargetRules, "privileged-target-rules", false, "password, accountEnabled and CBA ids of privileged users need a caller holding Privileged Authentication Administrator")
	flags.Int64Var(&cfg.RandSeed, "rand-seed", 0, "seed for fault injection and --large-tenant (0 = time-based)")
	flags.BoolVar(&auditFixtures, "audit-fixtures", false, "add the audit fixtures: a role-assignable group, risky apps, service principals holding directory roles")
	flags.StringVar(&largeTenant, "large-tenant", "", "generate a large tenant: users,roleAssignments,eligible,servicePrincipals,appRoleAssignments (e.g. 10000,5000,500,3000,30000)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	var large tenantsim.LargeTenant
	if largeTenant != "" {
		var err error
		if large, err = tenantsim.ParseLargeTenant(largeTenant); err != nil {
			return err
		}
	}

	if requestLog != "" {
		f, err := os.OpenFile(requestLog, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		cfg.RequestLog = f
	}
	srv, err := tenantsim.Start(cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	if auditFixtures {
		if err := srv.AddAuditFixtures(); err != nil {
			return err
		}
	}
	if largeTenant != "" {
		if err := srv.GenerateLargeTenant(large); err != nil {
			return err
		}
	}
	if err := writeInfo(stdout, srv.Info()); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

func writeInfo(w io.Writer, info tenantsim.Info) error {
	line, err := json.Marshal(info)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", line)
	return err
}
