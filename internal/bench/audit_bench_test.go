package bench_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/applications"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/rolemanagement"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// Targets of issue 6.
const (
	maxWall = 10 * time.Second
	maxRSS  = 200 << 20
)

var large = tenantsim.LargeTenant{Users: 10000, RoleAssignments: 5000, EligibleAssignments: 500, ServicePrincipals: 3000, AppRoleAssignments: 30000}

var (
	setupOnce sync.Once
	setupErr  error
	tenant    *simProcess
)

func TestMain(m *testing.M) {
	code := m.Run()
	printResults(os.Stdout)
	if tenant != nil {
		tenant.stop()
	}
	os.Exit(code)
}

// simProcess is the simulated tenant serving in a child process.
type simProcess struct {
	cmd      *exec.Cmd
	info     tenantsim.Info
	requests *requestLog
	dir      string
}

// largeTenant builds and starts the simulated tenant with the large tenant once per process (in tenant), and
// trusts its CA.
func largeTenant(b *testing.B) {
	b.Helper()
	setupOnce.Do(func() {
		start := time.Now()
		tenant, setupErr = startSim(large, 50*time.Millisecond)
		if setupErr == nil {
			setupErr = trustCA(tenant.info.CAFile)
		}
		b.Logf("simulated tenant %+v ready in %s", large, time.Since(start).Round(time.Millisecond))
	})
	if setupErr != nil {
		b.Fatal(setupErr)
	}
}

func startSim(spec tenantsim.LargeTenant, latency time.Duration) (*simProcess, error) {
	dir, err := os.MkdirTemp("", "bench-tenantsim-")
	if err != nil {
		return nil, err
	}
	bin := filepath.Join(dir, "tenantsim")
	build := exec.Command("go", "build", "-o", bin, "github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim/cmd/tenantsim")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building tenantsim: %w\n%s", err, out)
	}
	logPath := filepath.Join(dir, "requests.jsonl")
	p := &simProcess{dir: dir, requests: &requestLog{path: logPath}}
	p.cmd = exec.Command(bin, "--state-dir", filepath.Join(dir, "state"), "--request-log", logPath, "--rand-seed", "6",
		"--latency", latency.String(), "--large-tenant", fmt.Sprintf("%d,%d,%d,%d,%d",
			spec.Users, spec.RoleAssignments, spec.EligibleAssignments, spec.ServicePrincipals, spec.AppRoleAssignments))
	p.cmd.Stderr = os.Stderr
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadBytes('\n')
	if err == nil {
		err = json.Unmarshal(line, &p.info)
	}
	if err != nil {
		p.stop()
		return nil, fmt.Errorf("reading the tenantsim info line: %w", err)
	}
	return p, nil
}

func (p *simProcess) stop() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(os.Interrupt)
		_ = p.cmd.Wait()
	}
	_ = os.RemoveAll(p.dir)
}

// roleAssignmentSchedules counts the tenant's active schedules through its control API.
func (p *simProcess) roleAssignmentSchedules(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+p.info.MetadataHost+"/_sim/roleAssignmentSchedules", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var body struct {
		Value []json.RawMessage `json:"value"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	return len(body.Value), err
}

// trustCA points SSL_CERT_FILE at a bundle of the CA it already names, if any, and the benchmark tenant's. Go
// reads the system roots once, at the first TLS handshake, and the benchmarks share one tenant for the whole
// process, so the variable stays set until the process ends.
func trustCA(caFile string) error {
	bundle := filepath.Join(filepath.Dir(filepath.Dir(caFile)), "ca-bundle.pem")
	if err := acctest.CABundle(caFile, bundle); err != nil {
		return err
	}
	return os.Setenv("SSL_CERT_FILE", bundle) //nolint:usetesting // process-wide on purpose: see above
}

func newClient(b *testing.B) *clients.Client {
	b.Helper()
	info := tenant.info
	c, err := clients.New(context.Background(), clients.Config{
		TenantID: info.TenantID, ClientID: info.ClientID, ClientSecret: info.ClientSecret, MetadataHost: info.MetadataHost,
		Environment: "public", Version: "bench",
	})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// measured is what one read cost.
type measured struct {
	graphRequests int
	wall          time.Duration
	heapGrowth    uint64
}

// measure runs read with a heap sampler beside it and counts the Graph requests it caused.
func measure(b *testing.B, read func() error) measured {
	b.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, ms.HeapInuse
	done := make(chan struct{})
	sampled := make(chan uint64)
	go func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				sampled <- peak
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
		}
	}()
	tenant.requests.skip()
	start := time.Now()
	err := read()
	m := measured{wall: time.Since(start)}
	if err == nil {
		m.graphRequests, err = tenant.requests.graphSince()
	}
	close(done)
	m.heapGrowth = <-sampled - base
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func report(b *testing.B, name string, m measured, budget int) {
	b.Helper()
	rss := peakRSS()
	b.ReportMetric(float64(m.graphRequests), "graph-requests")
	b.ReportMetric(float64(budget), "budget-requests")
	b.ReportMetric(m.wall.Seconds(), "wall-s")
	b.ReportMetric(float64(m.heapGrowth)/(1<<20), "heap-growth-MB")
	b.ReportMetric(float64(rss)/(1<<20), "rss-hwm-MB")
	addRow(b, name+": Graph requests", strconv.Itoa(m.graphRequests), "large tenant, a $batch counts once",
		fmt.Sprintf("<= %d (pages + $batch of 20)", budget), m.graphRequests <= budget, true)
	addRow(b, name+": wall time, 50ms latency", m.wall.Round(time.Millisecond).String(), "", "< "+maxWall.String(), m.wall <= maxWall, true)
	addRow(b, name+": peak RSS", mb(int64(rss)), "heap growth during the read "+mb(int64(m.heapGrowth)),
		fmt.Sprintf("< %d MB", maxRSS>>20), rss <= maxRSS, true)
}

func BenchmarkRoleAssignments(b *testing.B) {
	largeTenant(b)
	for b.Loop() {
		var rows []rolemanagement.RoleAssignment
		c := newClient(b)
		m := measure(b, func() (err error) {
			rows, err = rolemanagement.ListRoleAssignments(b.Context(), c, true)
			return err
		})
		var active, eligible int
		for _, r := range rows {
			if r.State == rolemanagement.StateActive {
				active++
			} else {
				eligible++
			}
		}
		if active < large.RoleAssignments || eligible < large.EligibleAssignments {
			b.Fatalf("%d active and %d eligible rows, the tenant has at least %d and %d", active, eligible, large.RoleAssignments, large.EligibleAssignments)
		}
		// role definitions + active schedules + active instances + eligible instances, 999 per page
		schedules, err := tenant.roleAssignmentSchedules(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		budget := 1 + acctest.GraphPages(schedules) + acctest.GraphPages(active) + acctest.GraphPages(eligible)
		report(b, "audit breakglass_role_assignments", m, budget)
		b.ReportMetric(float64(len(rows)), "rows")
	}
}

func BenchmarkPrivilegedApplications(b *testing.B) {
	largeTenant(b)
	for b.Loop() {
		var apps []applications.Application
		var stats applications.Stats
		c := newClient(b)
		m := measure(b, func() (err error) {
			apps, stats, err = applications.ListPrivilegedApplications(b.Context(), c, applications.Options{MaxTier: applications.Tier1})
			return err
		})
		if len(apps) < large.ServicePrincipals/2 {
			b.Fatalf("%d privileged applications in a tenant with %d service principals holding %d Graph grants", len(apps), large.ServicePrincipals, large.AppRoleAssignments)
		}
		// Graph service principal + grants + role definitions + role assignments, 999 per page; then service
		// principals and applications, 15 per request and 20 requests per $batch.
		budget := 1 + acctest.GraphPages(stats.GraphGrants) + 1 + acctest.GraphPages(stats.RoleAssignments) +
			(stats.ServicePrincipals+299)/300 + (stats.Applications+299)/300
		report(b, "audit breakglass_privileged_applications", m, budget)
		b.ReportMetric(float64(len(apps)), "rows")
	}
}

// peakRSS is the process's peak resident set (VmHWM), 0 where /proc is missing.
func peakRSS() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// requestLog reads the tenant's request log (JSON lines) from where the last read stopped.
type requestLog struct {
	path   string
	offset int64
}

// skip moves past everything logged so far.
func (l *requestLog) skip() {
	if fi, err := os.Stat(l.path); err == nil {
		l.offset = fi.Size()
	}
}

// graphSince counts the Graph requests logged since the last skip. The tenant logs a request after its handler
// returns, which can be just after the client has read the answer, so it counts until two reads 50 ms apart agree.
func (l *requestLog) graphSince() (int, error) {
	last := -1
	for {
		n, err := l.count()
		if err != nil || n == last {
			return n, err
		}
		last = n
		time.Sleep(50 * time.Millisecond)
	}
}

func (l *requestLog) count() (int, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.Seek(l.offset, io.SeekStart); err != nil {
		return 0, err
	}
	n := 0
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 16<<20)
	for s.Scan() {
		var entry struct {
			URL string `json:"url"`
		}
		if err := json.Unmarshal(s.Bytes(), &entry); err != nil {
			return n, fmt.Errorf("request log line: %w", err)
		}
		if strings.HasPrefix(entry.URL, "/v1.0/") {
			n++
		}
	}
	return n, s.Err()
}
