package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.jsonl", `{"method":"GET","url":"/v1.0/users","status":200}`+"\n")
	bad := write("bad.jsonl", `{"method":"PATCH","url":"/v1.0/users/u","body":{"acountEnabled":false}}`+"\n")
	beta := write("beta.jsonl", `{"method":"GET","url":"/v1.0/users"}`+"\n"+`{"method":"GET","url":"/beta/users"}`+"\n")
	for _, tc := range []struct {
		args []string
		code int
		last string
	}{
		{nil, 2, usage},
		{[]string{filepath.Join(dir, "missing.jsonl")}, 2, "cannot read"},
		{[]string{"--summary", good}, 0, "OK"},
		{[]string{good}, 0, "requests: 1 Graph, 0 ARM checked; 0 beta unchecked; 0 other skipped; 0 distinct problems"},
		{[]string{"--summary", good, bad}, 1, "1 distinct problems"},
		{[]string{beta}, 1, "FAIL beta requests cannot be checked against v1.0 (use --allow-unchecked to accept)"},
		{[]string{"--allow-unchecked", beta}, 0, "1 beta unchecked"},
	} {
		var out bytes.Buffer
		code := run(tc.args, &out)
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if code != tc.code || !strings.Contains(lines[len(lines)-1], tc.last) {
			t.Errorf("%v: exit %d\n%s", tc.args, code, out.String())
		}
	}
}
