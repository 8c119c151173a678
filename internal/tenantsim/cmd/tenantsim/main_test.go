package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// serve runs the command with args in the background and returns its Info line, a client trusting its CA, and a
// stop function that returns run's error.
func serve(t *testing.T, dir string, args ...string) (tenantsim.Info, *http.Client, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, in := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"--state-dir", dir}, args...), in) }()
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err != nil {
		t.Fatal(err)
	}
	var info tenantsim.Info
	if err := json.Unmarshal(line, &info); err != nil || info.MetadataHost == "" || info.CAFile != filepath.Join(dir, "ca.pem") {
		t.Fatalf("info line %q: %v", line, err)
	}
	caPEM, err := os.ReadFile(info.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	return info, client, func() error { cancel(); return <-done }
}

func TestRunPrintsInfoAndServes(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "requests.jsonl")
	info, client, stop := serve(t, dir, "--request-log", logPath, "--latency", "1ms", "--throttle-rate", "0", "--rand-seed", "3",
		"--ca-write-rate", "1", "--ca-outside-writer-rate", "0.25", "--ca-omit-retry-after")
	resp, err := client.Get("https://" + info.MetadataHost + "/metadata/endpoints?api-version=2022-09-01")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("metadata: %v", err)
	}
	resp.Body.Close()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if logged, err := os.ReadFile(logPath); err != nil || len(logged) == 0 {
		t.Fatalf("request log: %v", err)
	}
	if err := run(context.Background(), []string{"--no-such-flag"}, io.Discard); err == nil {
		t.Fatal("unknown flag accepted")
	}
}

// TestProfile: --profile production starts from Entra's magnitudes; a flag after it overrides one of them.
func TestProfile(t *testing.T) {
	info, client, stop := serve(t, t.TempDir(), "--profile", "production", "--pim-min-active-duration", "1m")
	defer func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	}()
	resp, err := client.Get("https://" + info.MetadataHost + "/_sim/knobs")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var k tenantsim.Knobs
	if err := json.NewDecoder(resp.Body).Decode(&k); err != nil {
		t.Fatal(err)
	}
	want := tenantsim.Profiles["production"]
	want.PIMMinActiveDuration = time.Minute
	if k != want {
		t.Errorf("knobs %+v, want %+v", k, want)
	}
	if err := run(context.Background(), []string{"--profile", "staging"}, io.Discard); err == nil {
		t.Error("an unknown profile was accepted")
	}
}
