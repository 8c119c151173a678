package tenantsim

import (
	"bufio"
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// redacted replaces every secret value in the request log, so a log can be shared and checked by the request-log
// checker of internal/fidelity (which only looks at the JSON kind of redacted values).
const redacted = "REDACTED"

// formSecrets are token-endpoint form fields whose values never reach the log.
var formSecrets = map[string]bool{
	"password":         true,
	"client_secret":    true,
	"client_assertion": true,
	"assertion":        true,
	"refresh_token":    true,
	"code":             true,
}

// jsonSecrets are JSON members (lower-cased) whose values never reach the log, at any depth.
var jsonSecrets = map[string]bool{
	"password":         true,
	"client_secret":    true,
	"client_assertion": true,
	"secrettext":       true,
	// A Temporary Access Pass is a credential; Graph returns it only in the create answer, but a client may echo
	// it back (e.g. a $batch body), and then it must not reach the log.
	"temporaryaccesspass": true,
}

// jsonSecretsUnder are members that are secret only inside a given collection, e.g. passwordCredentials[].value.
var jsonSecretsUnder = map[string]string{
	"value": "passwordcredentials",
	"key":   "keycredentials",
}

// requestLogger writes one JSON object per request.
type requestLogger struct {
	mu sync.Mutex
	w  io.Writer
}

type logEntry struct {
	Time       string  `json:"time"`
	Method     string  `json:"method"`
	URL        string  `json:"url"`
	Status     int     `json:"status"`
	DurationMS float64 `json:"duration_ms"`
	ClientID   string  `json:"client_id,omitempty"`
	Body       any     `json:"body,omitempty"`
}

func (l *requestLogger) log(r *http.Request, body []byte, status int, start time.Time, clientID string) {
	if l == nil || l.w == nil {
		return
	}
	line, err := json.Marshal(logEntry{
		Time:       start.UTC().Format(time.RFC3339Nano),
		Method:     r.Method,
		URL:        r.URL.RequestURI(),
		Status:     status,
		DurationMS: float64(time.Since(start).Microseconds()) / 1000,
		ClientID:   clientID,
		Body:       redactedBody(r.Header.Get("Content-Type"), body),
	})
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(append(line, '\n'))
}

// redactedBody turns a JSON or form body into an object with secret values replaced.
func redactedBody(contentType string, body []byte) any {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	mediaType, _, _ := mime.ParseMediaType(contentType)
	if mediaType == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return redacted
		}
		out := map[string]any{}
		for key, values := range form {
			if formSecrets[strings.ToLower(key)] {
				out[key] = redacted
			} else if len(values) == 1 {
				out[key] = values[0]
			} else {
				out[key] = values
			}
		}
		return out
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		// Not JSON: never log raw bytes, they might hold a secret.
		return redacted
	}
	return redactJSON(v, "")
}

// redactJSON walks a JSON value; parent is the enclosing member name (lower-cased).
func redactJSON(v any, parent string) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for key, value := range t {
			lower := strings.ToLower(key)
			if jsonSecrets[lower] || (jsonSecretsUnder[lower] != "" && jsonSecretsUnder[lower] == parent) {
				out[key] = redacted
				continue
			}
			out[key] = redactJSON(value, lower)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, value := range t {
			out[i] = redactJSON(value, parent)
		}
		return out
	}
	return v
}

// statusRecorder remembers the status for the log and keeps hijacking available for connection resets.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(r.ResponseWriter).Hijack()
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
