package leakscan_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/services/account"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tfcli"
)

// The one value the scan tolerates, and only in state: breakglass_account.primary's generated password, which
// the resource keeps (sensitive) in its `password` attribute by design, like random_password.
const (
	keptType, keptName, keptAttr = "breakglass_account", "primary", "password"
	keptNote                     = "the generated password of breakglass_account.primary is kept by design in its " +
		"sensitive `password` attribute in state: exactly that attribute of the state files is excluded from the scan"
)

// TestNoSecretsInRunArtifacts is the leak test: plan (saved), show -json, apply, plan again and destroy
// examples/complete at TF_LOG=trace, then look for every secret of the run in every artifact.
func TestNoSecretsInRunArtifacts(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs Terraform: set TF_ACC=1 (make test does)")
	}
	artifacts := t.ArtifactDir() // kept with `go test -artifacts -outputdir DIR`
	requestLog, err := os.Create(filepath.Join(artifacts, "tenantsim-requests.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer requestLog.Close()
	sim, err := tenantsim.Start(tenantsim.Config{RequestLog: requestLog})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	sim.RecordSecrets()

	info := sim.Info()
	// TF_LOG_PATH here is the workspace's default; every step below sends its log to a file of its own.
	ws := tfcli.Complete(t, sim, "TF_LOG=trace", "TF_LOG_PATH="+filepath.Join(artifacts, "terraform.log"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	// Each step logs to its own file (TF_LOG_PATH holds Terraform core's and the provider's logs) and keeps
	// both output streams.
	step := func(name string, okCodes []int, args ...string) tfcli.Result {
		t.Helper()
		start := time.Now()
		res, err := ws.RunEnv(ctx, []string{"TF_LOG_PATH=" + filepath.Join(artifacts, name+".log")}, args...)
		if err != nil {
			t.Fatalf("terraform %v: %v", args, err)
		}
		writeArtifact(t, artifacts, name+".stdout", res.Stdout)
		writeArtifact(t, artifacts, name+".stderr", res.Stderr)
		t.Logf("terraform %s: exit %d in %s", strings.Join(args, " "), res.ExitCode, time.Since(start).Round(time.Millisecond))
		if !slices.Contains(okCodes, res.ExitCode) {
			t.Fatalf("terraform %v exited %d\nstdout:\n%s\nstderr:\n%s", args, res.ExitCode, res.Stdout, res.Stderr)
		}
		return res
	}
	step("1-plan", []int{0}, "plan", "-input=false", "-out=plan.tfplan")
	planJSON := step("2-show-plan-json", []int{0}, "show", "-json", "plan.tfplan").Stdout
	writeArtifact(t, artifacts, "plan.json", planJSON)
	step("3-apply", []int{0}, "apply", "-input=false", "plan.tfplan")
	copyFile(t, filepath.Join(ws.Dir, "terraform.tfstate"), filepath.Join(artifacts, "state-after-apply.tfstate"))
	step("4-plan-again", []int{0}, "plan", "-input=false", "-detailed-exitcode")

	generated, primaryID := keptPassword(t, filepath.Join(artifacts, "state-after-apply.tfstate"))
	if !sim.CheckUserPassword(primaryID, generated) {
		t.Fatal("the password in state is not breakglass_account.primary's password in the tenant")
	}
	step("5-destroy", []int{0}, "destroy", "-input=false", "-auto-approve")
	// Whatever else Terraform left in the working directory: the plan file, the state and its backup.
	copyTree(t, ws.Dir, filepath.Join(artifacts, "workspace"))
	if err := requestLog.Sync(); err != nil {
		t.Fatal(err)
	}

	// The scan must not be vacuous: the provider's own TRACE/DEBUG lines are in the logs, the tenant saw the
	// requests, and the plan shows the generated password as sensitive and unknown.
	checkProviderLogged(t, filepath.Join(artifacts, "3-apply.log"))
	checkRequestLog(t, requestLog.Name())
	checkPlanJSON(t, planJSON)

	secrets := sim.IssuedSecrets()
	if !slices.Contains(secrets.Passwords, generated) || len(secrets.Passwords) < 4 || len(secrets.Tokens) == 0 ||
		!slices.Contains(secrets.ClientSecrets, info.ClientSecret) {
		t.Fatalf("the tenant recorded %d passwords (the generated one: %t), %d tokens, %d client secrets: want both "+
			"accounts' passwords and Temporary Access Passes, the provider's tokens and the client secret it presented",
			len(secrets.Passwords), slices.Contains(secrets.Passwords, generated), len(secrets.Tokens), len(secrets.ClientSecrets))
	}
	// The shape detector, which stands in for the plan-time ephemeral passwords nobody records, recognises the
	// passwords of this run, raw and JSON-escaped, and the kept one in the raw state. The Temporary Access Passes
	// (recorded with the passwords, 8 characters here) have no shape to detect; they are searched for whole.
	for i, p := range secrets.Passwords {
		if len(p) < minNeedle {
			continue
		}
		j, _ := json.Marshal(p)
		if len(passwordShaped([]byte(p))) == 0 || len(passwordShaped(j)) == 0 {
			t.Errorf("password #%d (%d characters) is not password-shaped: the shape scan would miss such values", i+1, len(p))
		}
	}
	if rawState, _ := os.ReadFile(filepath.Join(artifacts, "state-after-apply.tfstate")); len(passwordShaped(rawState)) == 0 {
		t.Error("the shape scan does not see the kept password in the raw state")
	}
	needles := needlesFor(secrets, generated)
	set, err := loadArtifacts(artifacts)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(keptNote)
	hits := scan(set.items, needles)
	report(t, set, needles, secrets, hits)
	if set.excluded == 0 {
		t.Error("no state file held breakglass_account.primary's password attribute: the exclusion was never applied, check the scan")
	}
	for _, h := range hits {
		t.Errorf("LEAK: %s (%s) in %s at byte %d: %s", h.needle.label, h.needle.form, h.artifact, h.offset, h.context)
	}
}

// TestScannerFindsPlantedSecrets shows that the scan can fail: secrets planted in artifacts, whole or in part,
// raw or escaped, inside a saved plan or in state outside the kept attribute, are all reported; the kept attribute
// itself is not.
func TestScannerFindsPlantedSecrets(t *testing.T) {
	dir := t.TempDir()
	generated := `Gen3rated"Passw0rd\with<symbols>&more-chars-to-be-long-enough`
	writeOnly := `Wr1te-0nly!Passw0rd{with}symbols|and~length#enough$`
	signature := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte("signature-bytes"), 20))
	token := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0." + signature
	clientSecret := "abc1Q~0123456789abcdefghijABCDEFGHIJ-._~"
	secrets := tenantsim.Secrets{Passwords: []string{generated, writeOnly}, Tokens: []string{token}, ClientSecrets: []string{clientSecret}}

	jsonForm := func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) }
	state := func(extra string) string {
		b, _ := json.Marshal(map[string]any{"version": 4, "resources": []any{map[string]any{
			"mode": "managed", "type": keptType, "name": keptName,
			"instances": []any{map[string]any{"attributes": map[string]any{"id": "x", keptAttr: generated, "display_name": extra}}},
		}}})
		return string(b)
	}
	// A value nobody recorded, shaped like the ephemeral breakglass_password's: found by shape only.
	unknown, err := account.GeneratePassword(128)
	if err != nil {
		t.Fatal(err)
	}
	var plan bytes.Buffer
	zw := zip.NewWriter(&plan)
	w, _ := zw.Create("tfplan")
	_, _ = w.Write([]byte("\x0a\x12binary" + clientSecret + "\x00"))
	_ = zw.Close()
	for name, content := range map[string]string{
		"clean.log":            "nothing to see: eyJhbGciOiJSUzI1NiJ9 is only a header",
		"ephemeral.log":        `[TRACE] value="` + jsonForm(unknown) + `"`,
		"signature.log":        "Authorization: Bearer <redacted>." + signature,
		"escaped.log":          `{"body":"` + jsonForm(generated) + `"}`,
		"prefix.log":           "truncated body: " + writeOnly[:20],
		"terraform.tfstate":    state("Ops 01"),
		"other.tfstate.backup": state(generated),
		"plan.tfplan":          plan.String(),
	} {
		writeArtifact(t, dir, name, content)
	}
	set, err := loadArtifacts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if set.excluded != 2 {
		t.Fatalf("excluded %d kept attributes, want the one in each state file", set.excluded)
	}
	var got []string
	for _, h := range scan(set.items, needlesFor(secrets, generated)) {
		got = append(got, h.artifact+": "+h.needle.label+" ("+h.needle.form+")")
		if strings.Contains(h.context, writeOnly[:16]) || strings.Contains(h.context, signature[:16]) || strings.Contains(h.context, jsonForm(unknown[:16])) {
			t.Errorf("the report of a hit shows the secret: %s", h.context)
		}
	}
	slices.Sort(got)
	got = slices.Compact(got)
	want := []string{
		"ephemeral.log: password-shaped string (unknown value (e.g. a plan-time ephemeral password))",
		"escaped.log: password #1 (generated, kept in state) (JSON-escaped)",
		"other.tfstate.backup: password #1 (generated, kept in state) (JSON-escaped)",
		"plan.tfplan!tfplan: client secret #1 (full)",
		"prefix.log: password #2 (first 16 characters)",
		"signature.log: token #1 (signature)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("hits:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// needle is one form of one secret to look for.
type needle struct {
	kind, label, form string
	value             []byte
}

// minNeedle is the length of the partial forms searched for: shorter parts would match by chance. minWhole is
// the shortest whole secret searched for: a Temporary Access Pass has 8 characters or more, and 8 random
// characters of its alphabet turn up in a run's few megabytes of artifacts with odds below one in a million.
const (
	minNeedle = 16
	minWhole  = 8
)

// needlesFor lists what reveals a secret, wholly or partly: the full value and the escaped forms logs use (JSON,
// JSON without HTML escaping, Go quoting, form encoding) for passwords and client secrets, plus their first and
// last 16 characters (a truncated body); the full token and its signature (the part after the last '.') for JWTs.
func needlesFor(s tenantsim.Secrets, generated string) []needle {
	var out []needle
	add := func(kind, label, form, value string) {
		if len(value) < minWhole || slices.ContainsFunc(out, func(n needle) bool { return string(n.value) == value }) {
			return
		}
		out = append(out, needle{kind: kind, label: label, form: form, value: []byte(value)})
	}
	text := func(kind, label, v string) {
		add(kind, label, "full", v)
		j, _ := json.Marshal(v)
		add(kind, label, "JSON-escaped", string(j[1:len(j)-1]))
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v)
		unescaped := strings.TrimSpace(b.String())
		add(kind, label, "JSON-escaped without HTML escapes", unescaped[1:len(unescaped)-1])
		q := strconv.Quote(v)
		add(kind, label, "Go-quoted", q[1:len(q)-1])
		add(kind, label, "form-encoded", url.QueryEscape(v))
		if len(v) >= 2*minNeedle {
			add(kind, label, "first 16 characters", v[:minNeedle])
			add(kind, label, "last 16 characters", v[len(v)-minNeedle:])
		}
	}
	for i, p := range s.Passwords {
		label := fmt.Sprintf("password #%d", i+1)
		if p == generated {
			label += " (generated, kept in state)"
		}
		text("password", label, p)
	}
	for i, tok := range s.Tokens {
		label := fmt.Sprintf("token #%d", i+1)
		add("token", label, "full", tok)
		if dot := strings.LastIndex(tok, "."); dot >= 0 {
			add("token", label, "signature", tok[dot+1:])
		}
	}
	for i, cs := range s.ClientSecrets {
		text("client secret", fmt.Sprintf("client secret #%d", i+1), cs)
	}
	return out
}

// item is one scanned text: a file, a member of a saved plan, or a state file with the kept attribute removed.
type item struct {
	name string
	data []byte
	note string
}

type artifactSet struct {
	items    []item
	files    int
	excluded int // kept attributes removed from state files
}

// loadArtifacts reads every file under dir. A saved plan (*.tfplan, a zip) is scanned as it is and member by
// member, uncompressed. A state file (*.tfstate, *.tfstate.backup, and a plan's tfstate members) is scanned with
// the kept attribute's value replaced, and its base64 private blobs decoded.
func loadArtifacts(dir string) (*artifactSet, error) {
	set := &artifactSet{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		set.files++
		set.add(rel, data)
		if strings.HasSuffix(rel, ".tfplan") {
			zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			for _, f := range zr.File {
				rc, err := f.Open()
				if err != nil {
					return err
				}
				member, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					return err
				}
				set.add(rel+"!"+f.Name, member)
			}
		}
		return nil
	})
	return set, err
}

func isState(name string) bool {
	base := filepath.Base(name)
	if _, member, ok := strings.Cut(name, "!"); ok {
		base = member
	}
	return strings.HasSuffix(base, ".tfstate") || strings.HasSuffix(base, ".tfstate.backup") || strings.HasPrefix(base, "tfstate")
}

func (s *artifactSet) add(name string, data []byte) {
	if !isState(name) {
		s.items = append(s.items, item{name: name, data: data})
		return
	}
	var st struct {
		Resources []struct {
			Mode, Type, Name string
			Instances        []map[string]any
		}
	}
	var raw map[string]any
	if json.Unmarshal(data, &st) != nil || json.Unmarshal(data, &raw) != nil {
		s.items = append(s.items, item{name: name, data: data, note: "not JSON: scanned as it is"})
		return
	}
	excluded := 0
	resources, _ := raw["resources"].([]any)
	for ri, r := range st.Resources {
		res, _ := resources[ri].(map[string]any)
		instances, _ := res["instances"].([]any)
		for ii := range instances {
			inst, _ := instances[ii].(map[string]any)
			if attrs, ok := inst["attributes"].(map[string]any); ok && r.Mode == "managed" && r.Type == keptType && r.Name == keptName {
				if v, ok := attrs[keptAttr].(string); ok && v != "" {
					attrs[keptAttr] = "<excluded: kept generated password>"
					excluded++
				}
			}
			if p, ok := inst["private"].(string); ok && p != "" {
				if dec, err := base64.StdEncoding.DecodeString(p); err == nil {
					s.items = append(s.items, item{name: fmt.Sprintf("%s#private[%s.%s[%d]]", name, r.Type, r.Name, ii), data: dec})
				}
			}
		}
	}
	out, _ := json.MarshalIndent(raw, "", "  ")
	s.excluded += excluded
	s.items = append(s.items, item{name: name, data: out,
		note: fmt.Sprintf("state: %d kept password attribute(s) excluded", excluded)})
}

// hit is one needle found in one item; context shows what surrounds it with every secret masked.
type hit struct {
	artifact string
	needle   *needle
	offset   int
	length   int
	context  string
}

// scan reports every occurrence of every needle; an occurrence inside a longer one (the first characters of a
// password inside the whole password) is reported once, as the longer one.
func scan(items []item, needles []needle) []hit {
	var hits []hit
	for _, it := range items {
		var found []hit
		for ni := range needles {
			n := &needles[ni]
			for off := 0; ; {
				i := bytes.Index(it.data[off:], n.value)
				if i < 0 {
					break
				}
				at := off + i
				found = append(found, hit{artifact: it.name, needle: n, offset: at, length: len(n.value)})
				off = at + len(n.value)
			}
		}
		for _, span := range passwordShaped(it.data) {
			found = append(found, hit{artifact: it.name, needle: shapeNeedle, offset: span[0], length: span[1] - span[0]})
		}
		for i, h := range found {
			inside := slices.ContainsFunc(found, func(o hit) bool {
				return o.length > h.length && o.offset <= h.offset && h.offset+h.length <= o.offset+o.length
			})
			if !inside {
				found[i].context = maskedContext(it.data, h, needles)
				hits = append(hits, found[i])
			}
		}
	}
	return hits
}

// maskedContext is 100 bytes either side of a hit with every needle replaced by its label, so the test output
// never repeats a secret.
func maskedContext(data []byte, h hit, needles []needle) string {
	before := string(data[max(0, h.offset-100):h.offset])
	after := string(data[h.offset+h.length : min(len(data), h.offset+h.length+100)])
	ctx := before + fmt.Sprintf("<%s, %d bytes>", h.needle.label, h.length) + after
	sorted := slices.Clone(needles)
	slices.SortFunc(sorted, func(a, b needle) int { return len(b.value) - len(a.value) })
	for _, nd := range sorted {
		ctx = strings.ReplaceAll(ctx, string(nd.value), "<"+nd.label+", "+nd.form+">")
	}
	return strconv.Quote(ctx)
}

func report(t *testing.T, set *artifactSet, needles []needle, s tenantsim.Secrets, hits []hit) {
	t.Helper()
	perItem := map[string]int{}
	for _, h := range hits {
		perItem[h.artifact]++
	}
	var total int
	var lines []string
	for _, it := range set.items {
		total += len(it.data)
		line := fmt.Sprintf("  %-60s %10d bytes  %d hits", it.name, len(it.data), perItem[it.name])
		if it.note != "" {
			line += "  (" + it.note + ")"
		}
		lines = append(lines, line)
	}
	forms := map[string]int{}
	for _, n := range needles {
		forms[n.kind]++
	}
	t.Logf("scanned %d files as %d texts, %d bytes:\n%s", set.files, len(set.items), total, strings.Join(lines, "\n"))
	t.Logf("searched for %d passwords (%d forms), %d tokens (%d forms), %d client secrets (%d forms) and password-shaped "+
		"strings: %d hits; %d kept password attribute(s) excluded from state files", len(s.Passwords), forms["password"], len(s.Tokens), forms["token"],
		len(s.ClientSecrets), forms["client secret"], len(hits), set.excluded)
}

// Password-shaped strings: the ephemeral breakglass_password is opened at every plan and apply, and the values of
// plan time never reach the tenant, so they cannot be searched for by value. They are found by shape instead: a
// run of Entra's password characters holding a window of shapeWindow characters with at least shapeSymbols
// distinct symbols and shapeDistinct distinct characters. Calibrated on 5,000 passwords of 128 characters from
// account.GeneratePassword (the example's length), raw and JSON-escaped: every one has a window with 12+ symbols
// and 45+ characters. In the artifacts of a run, no window has 12 distinct symbols (JSON, URLs and Terraform's
// escaped type names reach 11) and none with 10 reaches 42 characters.
const (
	shapeWindow   = 96
	shapeSymbols  = 12
	shapeDistinct = 42
)

var passwordChars = func() (set [256]bool) {
	for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + tenantsim.AllowedPasswordSymbols {
		set[c] = true
	}
	return set
}()

// passwordShaped returns the [start, end) spans of the password-shaped runs in data.
func passwordShaped(data []byte) [][2]int {
	var spans [][2]int
	for start := 0; start < len(data); {
		if !passwordChars[data[start]] {
			start++
			continue
		}
		end := start
		for end < len(data) && passwordChars[data[end]] {
			end++
		}
		for i := start; i+shapeWindow <= end; i += 2 {
			if w := data[i : i+shapeWindow]; distinctSymbols(w) >= shapeSymbols && distinctChars(w) >= shapeDistinct {
				spans = append(spans, [2]int{start, end})
				break
			}
		}
		start = end
	}
	return spans
}

func distinctChars(w []byte) int {
	var seen [256]bool
	n := 0
	for _, c := range w {
		if !seen[c] {
			seen[c] = true
			n++
		}
	}
	return n
}

func distinctSymbols(w []byte) int {
	var seen [256]bool
	n := 0
	for _, c := range w {
		if !seen[c] && strings.IndexByte(tenantsim.AllowedPasswordSymbols, c) >= 0 {
			seen[c] = true
			n++
		}
	}
	return n
}

// shapeNeedle labels the hits of password-shaped strings, which no known secret explains.
var shapeNeedle = &needle{kind: "password-shaped", label: "password-shaped string", form: "unknown value (e.g. a plan-time ephemeral password)"}

// keptPassword reads breakglass_account.primary's generated password and object id from a state file.
func keptPassword(t *testing.T, path string) (password, id string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Mode, Type, Name string
			Instances        []struct {
				Attributes map[string]any `json:"attributes"`
			}
		}
	}
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Resources {
		if r.Mode == "managed" && r.Type == keptType && r.Name == keptName && len(r.Instances) == 1 {
			password, _ = r.Instances[0].Attributes[keptAttr].(string)
			id, _ = r.Instances[0].Attributes["id"].(string)
		}
	}
	if len(password) < minNeedle || id == "" {
		t.Fatalf("state holds no generated password for %s.%s", keptType, keptName)
	}
	return password, id
}

// checkProviderLogged makes sure the apply log holds the provider's own log lines, not only Terraform core's:
// the provider's request log ("HTTP request" from internal/clients) at DEBUG and the plugin SDK's TRACE lines.
func checkProviderLogged(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var providerLines, requestLines int
	for line := range strings.Lines(string(data)) {
		if strings.Contains(line, "provider.terraform-provider-breakglass") {
			providerLines++
			if strings.Contains(line, "HTTP request") && strings.Contains(line, "api=graph") {
				requestLines++
			}
		}
	}
	t.Logf("%s: %d bytes, %d provider lines, %d of them the provider's Graph request log", filepath.Base(path), len(data), providerLines, requestLines)
	if len(data) < 200_000 || providerLines < 100 || requestLines < 5 {
		t.Fatalf("%s (%d bytes, %d provider lines, %d Graph request lines) does not hold the provider's TRACE logs: the scan would prove nothing",
			path, len(data), providerLines, requestLines)
	}
}

// checkRequestLog makes sure the tenant's request log saw the passwords being sent (and redacted them).
func checkRequestLog(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var users, tokens int
	for line := range strings.Lines(string(data)) {
		var e struct {
			Method, URL string
			Body        any
		}
		if json.Unmarshal([]byte(line), &e) != nil {
			t.Fatalf("request log line is not JSON: %.200q", line)
		}
		if e.Method == "POST" && strings.HasPrefix(e.URL, "/v1.0/users") && e.Body != nil {
			users++
		}
		if strings.HasSuffix(e.URL, "/oauth2/v2.0/token") {
			tokens++
		}
	}
	if users < 2 || tokens == 0 {
		t.Fatalf("the request log holds %d user creations and %d token requests: want both accounts and the provider's sign-in", users, tokens)
	}
}

// checkPlanJSON checks that the saved plan shows the generated password as sensitive (and unknown until apply)
// and the write-only one not at all.
func checkPlanJSON(t *testing.T, planJSON string) {
	t.Helper()
	var plan struct {
		ResourceChanges []struct {
			Address string
			Change  struct {
				After          map[string]any `json:"after"`
				AfterUnknown   any            `json:"after_unknown"`   // an object, or false
				AfterSensitive any            `json:"after_sensitive"` // an object, or false
			}
		} `json:"resource_changes"`
	}
	if err := json.Unmarshal([]byte(planJSON), &plan); err != nil {
		t.Fatalf("show -json: %v", err)
	}
	seen := 0
	for _, rc := range plan.ResourceChanges {
		switch rc.Address {
		case keptType + "." + keptName:
			seen++
			sensitive, _ := rc.Change.AfterSensitive.(map[string]any)
			unknown, _ := rc.Change.AfterUnknown.(map[string]any)
			if sensitive[keptAttr] != true || unknown[keptAttr] != true || rc.Change.After[keptAttr] != nil {
				t.Errorf("%s.%s: after %v, after_sensitive %v, after_unknown %v: want the password sensitive and unknown",
					rc.Address, keptAttr, rc.Change.After[keptAttr] != nil, sensitive[keptAttr], unknown[keptAttr])
			}
		case keptType + ".secondary":
			seen++
			if v := rc.Change.After["password_wo"]; v != nil {
				t.Errorf("%s.password_wo is %T in the plan, want null (write-only)", rc.Address, v)
			}
		}
	}
	if seen != 2 {
		t.Errorf("the plan JSON holds %d of the two accounts", seen)
	}
}

func writeArtifact(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// copyTree copies every file Terraform left in the working directory except the configuration itself.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (filepath.Dir(path) == from && strings.HasSuffix(path, ".tf")) {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if err := os.MkdirAll(filepath.Join(to, filepath.Dir(rel)), 0o755); err != nil {
			return err
		}
		copyFile(t, path, filepath.Join(to, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
