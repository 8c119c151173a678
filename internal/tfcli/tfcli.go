package tfcli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// RepoRoot is the checkout this file belongs to.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// ProviderDir builds the provider once per test binary and returns the directory holding it. The directory is
// one per checkout under the system's temp directory, so that test binaries do not leave a 70 MB copy each; a
// new build replaces the binary by rename, which leaves processes still running the old one undisturbed.
func ProviderDir(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		sum := sha256.Sum256([]byte(RepoRoot()))
		// Shared by every test binary of this checkout, so not tb.TempDir (removed when one test ends).
		buildDir = filepath.Join(os.TempDir(), fmt.Sprintf("breakglass-provider-%d-%x", os.Getuid(), sum[:6])) //nolint:usetesting // see above
		if buildErr = os.MkdirAll(buildDir, 0o700); buildErr != nil {
			return
		}
		tmp, err := os.CreateTemp(buildDir, "build-*")
		if err != nil {
			buildErr = err
			return
		}
		tmp.Close()
		defer os.Remove(tmp.Name())
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version=0.0.0-test", "-o", tmp.Name(), ".")
		cmd.Dir = RepoRoot()
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		buildErr = os.Rename(tmp.Name(), filepath.Join(buildDir, "terraform-provider-breakglass"))
	})
	if buildErr != nil {
		tb.Fatalf("building the provider: %v", buildErr)
	}
	return buildDir
}

// Terraform is the CLI the suites run: TF_ACC_TERRAFORM_PATH (set by make test) or the one on PATH. Nothing is
// ever downloaded.
func Terraform(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		tb.Fatal("terraform must be on PATH (or TF_ACC_TERRAFORM_PATH set); this project never downloads it")
	}
	return p
}

// Workspace is a working directory holding a copy of a configuration, with the environment that points Terraform
// at the simulated tenant and the freshly built provider.
type Workspace struct {
	Dir       string
	Env       []string
	terraform string
}

// New copies the configuration directory src (relative to the repository root, or absolute) into a temporary
// directory and prepares the environment for sim. Extra variables (TF_VAR_*, TF_LOG, ...) go in extraEnv.
func New(tb testing.TB, sim *tenantsim.Server, src string, extraEnv ...string) *Workspace {
	tb.Helper()
	if !filepath.IsAbs(src) {
		src = filepath.Join(RepoRoot(), src)
	}
	work := tb.TempDir()
	cliConfig := filepath.Join(work, "terraformrc")
	err := os.WriteFile(cliConfig, fmt.Appendf(nil, `provider_installation {
  dev_overrides {
    "entra-breakglass/breakglass" = %q
  }
  direct {}
}
`, ProviderDir(tb)), 0o600)
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(work, "config")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		tb.Fatalf("copying %s: %v", src, err)
	}
	env := append(append(Environ(), sim.Info().Environ()...),
		"TF_CLI_CONFIG_FILE="+cliConfig,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
	)
	return &Workspace{Dir: dir, Env: append(env, extraEnv...), terraform: Terraform(tb)}
}

// Complete is New for examples/complete, the configuration the chaos, leak and performance suites apply, with
// the provider's service principal prepared by PrepareComplete and the example's variables set from it.
func Complete(tb testing.TB, sim *tenantsim.Server, extraEnv ...string) *Workspace {
	tb.Helper()
	env, remove, err := PrepareComplete(sim)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(remove)
	return New(tb, sim, "examples/complete", append(env, extraEnv...)...)
}

// PrepareComplete gives the provider's service principal in sim the directory roles examples/complete says a real
// tenant's administrator gives it, at tenant scope: Privileged Role Administrator (members of a restricted
// management unit change only through it or Global Administrator) and Privileged Authentication Administrator
// (the accounts hold Global Administrator, so their Temporary Access Passes need it). It returns the example's
// TF_VAR_* settings for sim (the service principal's object id, the seeded Log Analytics workspace and resource
// group) and a function that takes the roles back. Every harness applying the example (these suites, internal/demo,
// the provider's everything test) prepares the tenant here.
func PrepareComplete(sim *tenantsim.Server) (env []string, remove func(), err error) {
	info := sim.Info()
	sp, ok := sim.ServicePrincipalID(info.ClientID)
	if !ok {
		return nil, nil, fmt.Errorf("the simulated tenant has no service principal for the provider's app %s", info.ClientID)
	}
	var removes []func()
	remove = func() {
		for _, r := range removes {
			r()
		}
	}
	for _, role := range []string{tenantsim.PrivilegedRoleAdministratorRoleID, tenantsim.PrivilegedAuthenticationAdministratorRoleID} {
		r, err := sim.AssignDirectoryRole(sp, role)
		if err != nil {
			remove()
			return nil, nil, err
		}
		removes = append(removes, r)
	}
	return []string{
		"TF_VAR_provider_principal_id=" + sp,
		"TF_VAR_workspace_id=" + info.WorkspaceID, "TF_VAR_resource_group_name=" + info.ResourceGroup,
	}, remove, nil
}

// Environ is the test process's environment without what would change Terraform's behaviour behind the suite's
// back: the caller's TF_LOG, TF_CLI_ARGS and TF_WORKSPACE, and the ARM_* of a live tenant.
func Environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		switch k, _, _ := bytes.Cut([]byte(kv), []byte("=")); {
		case bytes.HasPrefix(k, []byte("ARM_")), bytes.HasPrefix(k, []byte("TF_LOG")),
			bytes.HasPrefix(k, []byte("TF_CLI_ARGS")), string(k) == "TF_WORKSPACE", string(k) == "TF_CLI_CONFIG_FILE":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// Result is one Terraform run's output and exit code.
type Result struct {
	Stdout, Stderr string
	ExitCode       int
}

// Run runs terraform with args in the workspace (with -no-color added) and returns its output; err is set only
// when terraform could not be started or ctx ended it. A non-zero exit is in ExitCode.
func (w *Workspace) Run(ctx context.Context, args ...string) (Result, error) {
	return w.RunEnv(ctx, nil, args...)
}

// RunEnv is Run with extra environment variables for this run only.
func (w *Workspace) RunEnv(ctx context.Context, env []string, args ...string) (Result, error) {
	cmd := w.Command(ctx, env, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := Result{Stdout: stdout.String(), Stderr: stderr.String()}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ctx.Err() == nil {
		res.ExitCode = ee.ExitCode()
		err = nil
	}
	return res, err
}

// noColor lists the commands that take -no-color (state and a few others refuse it); logs and assertions read
// plain text.
var noColor = map[string]bool{"apply": true, "destroy": true, "plan": true, "refresh": true, "import": true,
	"init": true, "output": true, "show": true, "test": true, "validate": true}

// Command is the exec.Cmd of a run, for callers that start it themselves (to kill it mid-apply, or to run two
// at once).
func (w *Workspace) Command(ctx context.Context, env []string, args ...string) *exec.Cmd {
	if len(args) > 0 && noColor[args[0]] {
		args = append([]string{args[0], "-no-color"}, args[1:]...)
	}
	cmd := exec.CommandContext(ctx, w.terraform, append([]string{"-chdir=" + w.Dir}, args...)...)
	cmd.Env = append(append([]string{}, w.Env...), env...)
	return cmd
}

// Must runs terraform and fails the test on a non-zero exit, showing both streams.
func (w *Workspace) Must(tb testing.TB, ctx context.Context, args ...string) Result {
	tb.Helper()
	res, err := w.Run(ctx, args...)
	if err != nil {
		tb.Fatalf("terraform %v: %v", args, err)
	}
	if res.ExitCode != 0 {
		tb.Fatalf("terraform %v exited %d\nstdout:\n%s\nstderr:\n%s", args, res.ExitCode, res.Stdout, res.Stderr)
	}
	return res
}
