package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tfcli"
)

func main() {
	providerDir := flag.String("provider-dir", "bin", "directory holding the built terraform-provider-breakglass binary")
	example := flag.String("example", "examples/complete", "configuration to apply")
	keep := flag.Bool("keep", false, "keep the tenant's resources and the work directory (skip destroy)")
	flag.Parse()
	if err := run(*providerDir, *example, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(providerDir, example string, keep bool) error {
	providerDir, err := filepath.Abs(providerDir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(providerDir, "terraform-provider-breakglass")); err != nil {
		return fmt.Errorf("no provider binary in %s: run `make build` first (make demo does)", providerDir)
	}
	work, err := os.MkdirTemp("", "breakglass-demo-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(work)
	}
	logPath := filepath.Join(work, "requests.jsonl")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logFile.Close()

	sim, err := tenantsim.Start(tenantsim.Config{RequestLog: logFile})
	if err != nil {
		return fmt.Errorf("starting the simulated tenant: %w", err)
	}
	defer sim.Close()
	info := sim.Info()
	fmt.Printf("Simulated tenant %s at https://%s (CA %s)\n\n", info.TenantID, info.MetadataHost, info.CAFile)

	cliConfig := filepath.Join(work, "terraformrc")
	err = os.WriteFile(cliConfig, fmt.Appendf(nil, `provider_installation {
  dev_overrides {
    "entra-breakglass/breakglass" = %q
  }
  direct {}
}
`, providerDir), 0o600)
	if err != nil {
		return err
	}
	config := filepath.Join(work, "config")
	if err := os.CopyFS(config, os.DirFS(example)); err != nil {
		return fmt.Errorf("copying %s: %w", example, err)
	}

	vars, removeRoles, err := tfcli.PrepareComplete(sim)
	if err != nil {
		return err
	}
	defer removeRoles()
	env := append(append(append(os.Environ(), info.Environ()...),
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"TF_IN_AUTOMATION=1",
	), vars...)
	// Colours only for a person at a terminal, not for CI logs.
	var colour []string
	if fi, err := os.Stdout.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		colour = []string{"-no-color"}
	}
	tf := func(command string, args ...string) error {
		args = append(append([]string{command}, colour...), args...)
		fmt.Printf("$ terraform %s\n", strings.Join(args, " "))
		cmd := exec.Command("terraform", append([]string{"-chdir=" + config}, args...)...)
		cmd.Env = env
		cmd.Stdout = os.Stdout
		cmd.Stderr = os.Stderr
		return cmd.Run()
	}
	before := countLines(logPath)
	if err := tf("apply", "-auto-approve", "-input=false"); err != nil {
		return fmt.Errorf("terraform apply: %w", err)
	}
	applied := countLines(logPath)
	if err := tf("output"); err != nil {
		return fmt.Errorf("terraform output: %w", err)
	}
	if err := tf("plan", "-detailed-exitcode", "-input=false"); err != nil {
		return fmt.Errorf("the plan after apply is not empty (or failed): %w", err)
	}
	fmt.Printf("\nThe simulated tenant now holds %d users; the apply took %d requests (token, Graph and ARM).\n",
		len(sim.Users()), applied-before)
	if keep {
		fmt.Printf("Kept %s (state, CLI config, request log). The tenant stops with this program.\n", work)
		return nil
	}
	if err := tf("destroy", "-auto-approve", "-input=false"); err != nil {
		return fmt.Errorf("terraform destroy: %w", err)
	}
	return nil
}

func countLines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	n := 0
	for s := bufio.NewScanner(f); s.Scan(); {
		n++
	}
	return n
}
