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

func TestRunPrintsInfoAndServes(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "requests.jsonl")
	ctx, cancel := context.WithCancel(context.Background())
	out, in := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--state-dir", dir, "--request-log", logPath, "--latency", "1ms", "--throttle-rate", "0", "--rand-seed", "3",
			"--ca-write-rate", "1", "--ca-outside-writer-rate", "0.25", "--ca-omit-retry-after"}, in)
	}()

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
	resp, err := client.Get("https://" + info.MetadataHost + "/metadata/endpoints?api-version=2022-09-01")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("metadata: %v", err)
	}
	resp.Body.Close()

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if logged, err := os.ReadFile(logPath); err != nil || len(logged) == 0 {
		t.Fatalf("request log: %v", err)
	}
	if err := run(context.Background(), []string{"--no-such-flag"}, io.Discard); err == nil {
		t.Fatal("unknown flag accepted")
	}
}
