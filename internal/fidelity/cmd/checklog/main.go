// Command checklog checks every Graph (/v1.0) and ARM request in simulated-tenant request logs against Microsoft's
// API descriptions (internal/fidelity/spec), as CI does after the acceptance run:
//
//	go run ./internal/fidelity/cmd/checklog [--summary] [--allow-unchecked] LOG.jsonl [LOG2.jsonl ...]
//
// It prints one FAIL line per distinct problem, then the counts. Exit 0: every checked request passes (and, unless
// --allow-unchecked, no /beta request was left unchecked); 1: some request fails; 2: usage error or unreadable log.
// --summary adds an OK line on success.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/fidelity"
)

const usage = "usage: checklog [--summary] [--allow-unchecked] LOG.jsonl [LOG2.jsonl ...]"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout))
}

func run(args []string, out io.Writer) int {
	var summary, allowUnchecked bool
	var logs []string
	for _, a := range args {
		switch {
		case a == "--summary":
			summary = true
		case a == "--allow-unchecked":
			allowUnchecked = true
		case strings.HasPrefix(a, "--"):
		default:
			logs = append(logs, a)
		}
	}
	if len(logs) == 0 {
		fmt.Fprintln(out, usage)
		return 2
	}
	checker, err := fidelity.NewLogChecker()
	if err != nil {
		fmt.Fprintln(out, "checklog:", err)
		return 2
	}
	var res fidelity.LogResult
	for _, name := range logs {
		if err := checkFile(checker, name, &res); err != nil {
			fmt.Fprintf(out, "cannot read %s: %v\n", name, err)
			return 2
		}
	}
	for _, f := range res.Failures {
		fmt.Fprintln(out, "FAIL "+f)
	}
	fmt.Fprintln(out, res.Summary())
	if len(res.Failures) > 0 {
		return 1
	}
	if verdict := res.Verdict(allowUnchecked); verdict != "" {
		fmt.Fprintln(out, "FAIL "+verdict)
		return 1
	}
	if summary {
		fmt.Fprintln(out, "OK")
	}
	return 0
}

func checkFile(checker *fidelity.LogChecker, name string, res *fidelity.LogResult) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	return checker.Check(name, f, res)
}
