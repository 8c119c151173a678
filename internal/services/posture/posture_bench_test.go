package posture_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/acctest"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/posture"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// BenchmarkPosture reads the posture of two emergency accounts in a large tenant (10,000 users, 5,000 active and
// 500 eligible role assignments, 3,000 service principals, 30,000 app role assignments) behind 50 ms of latency
// per request, through posture.Evaluate, the function the data source calls, with a new client per read as a plan
// has. It reports per read the Graph and ARM requests, the other requests (endpoint discovery, tokens), the total,
// and the wall time. The tenant runs in-process, so B/op and allocs/op include the simulator's work.
//
// A read makes expectedGraphRequests Graph requests: the users (1), the domains (1), the Global Administrator
// instances (2 pages in this tenant), the Conditional Access policies (1), one $batch holding the authentication
// methods policy and each account's FIDO2 methods, registered methods and memberships, and one $batch of the
// members of the groups the fixture policies exclude; and 1 ARM request (the alert rules).
//
// It starts its own simulated tenant, whose CA the process must trust before its first TLS connection: run it
// without tests in the same process, e.g. go test -run '^$' -bench Posture ./internal/services/posture/.
const expectedGraphRequests = 8

func BenchmarkPosture(b *testing.B) {
	log := &requestCounter{}
	sim, err := tenantsim.Start(tenantsim.Config{RequestLog: log, Knobs: tenantsim.Knobs{Latency: 50 * time.Millisecond}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sim.Close() })
	if err := sim.GenerateLargeTenant(tenantsim.LargeTenant{
		Users: 10000, RoleAssignments: 5000, EligibleAssignments: 500, ServicePrincipals: 3000, AppRoleAssignments: 30000,
	}); err != nil {
		b.Fatal(err)
	}
	accounts := []string{"0b9e4c1a-7d3f-4e2b-9a6c-5f8d1e2c3b4a", "6e2f8a3c-1b5d-4c7e-8f9a-0d1c2b3a4e5f"}
	if err := sim.AddUsers([]map[string]any{
		{"id": accounts[0], "displayName": "Cloud Operations 01", "userPrincipalName": "acct-k3q9x2mz@contoso.onmicrosoft.com",
			"mailNickname": "acct-k3q9x2mz", "accountEnabled": true, "password": tenantsim.GeneratedUserPassword},
		{"id": accounts[1], "displayName": "Cloud Operations 02", "userPrincipalName": "acct-p7w4c8nd@contoso.onmicrosoft.com",
			"mailNickname": "acct-p7w4c8nd", "accountEnabled": true, "password": tenantsim.GeneratedUserPassword},
	}); err != nil {
		b.Fatal(err)
	}
	// Trust the benchmark tenant as well as the acceptance tenant SSL_CERT_FILE may name already (under TF_ACC).
	bundle := filepath.Join(b.TempDir(), "ca-bundle.pem")
	if err := acctest.CABundle(sim.Info().CAFile, bundle); err != nil {
		b.Fatal(err)
	}
	b.Setenv("SSL_CERT_FILE", bundle)

	info := sim.Info()
	cfg := clients.Config{
		TenantID: info.TenantID, ClientID: info.ClientID, ClientSecret: info.ClientSecret, MetadataHost: info.MetadataHost,
		Environment: "public", SubscriptionID: info.SubscriptionID, Version: "bench",
	}
	in := posture.Input{AccountIDs: accounts}
	// Each read gets a new client, as each plan does: endpoint discovery and the Graph and ARM tokens are part of it
	// (counted as other requests).
	read := func(ctx context.Context) (posture.Report, error) {
		c, err := clients.New(ctx, cfg)
		if err != nil {
			return posture.Report{}, err
		}
		return posture.Evaluate(ctx, c, in)
	}
	if _, err := read(context.Background()); err != nil {
		b.Fatalf("%v\n(the process must trust the benchmark tenant's CA: run the benchmark alone, with -run '^$')", err)
	}
	log.reset()
	b.ReportAllocs()
	start := time.Now()
	var report posture.Report
	for b.Loop() {
		if report, err = read(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	graph, arm, other := log.counts()
	n := float64(b.N)
	b.ReportMetric(float64(graph)/n, "graph-requests/op")
	b.ReportMetric(float64(arm)/n, "arm-requests/op")
	b.ReportMetric(float64(other)/n, "other-requests/op")
	b.ReportMetric(float64(graph+arm+other)/n, "requests/op")
	b.ReportMetric(elapsed.Seconds()/n, "wall-s/op")
	if len(report.Checks) != 16 {
		b.Fatalf("got %d checks", len(report.Checks))
	}
	if graph > expectedGraphRequests*b.N {
		b.Errorf("%d Graph requests per read, want at most %d", graph/b.N, expectedGraphRequests)
	}
}

// requestCounter reads the simulated tenant's request log and counts Graph, ARM and other (token, metadata)
// requests.
type requestCounter struct {
	mu                 sync.Mutex
	partial            []byte
	graph, arm, others int
}

func (r *requestCounter) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.partial = append(r.partial, p...)
	for {
		i := bytes.IndexByte(r.partial, '\n')
		if i < 0 {
			break
		}
		var entry struct {
			URL string `json:"url"`
		}
		if json.Unmarshal(r.partial[:i], &entry) == nil {
			switch {
			case strings.HasPrefix(entry.URL, "/v1.0/"), strings.HasPrefix(entry.URL, "/beta/"):
				r.graph++
			case strings.HasPrefix(entry.URL, "/subscriptions/"), strings.HasPrefix(entry.URL, "/providers/"):
				r.arm++
			default:
				r.others++
			}
		}
		r.partial = r.partial[i+1:]
	}
	return len(p), nil
}

func (r *requestCounter) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.graph, r.arm, r.others = 0, 0, 0
}

func (r *requestCounter) counts() (graph, arm, others int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.graph, r.arm, r.others
}
