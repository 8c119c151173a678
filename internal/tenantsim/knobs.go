package tenantsim

import (
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Knobs make the simulated tenant misbehave the way the real one does under load, so the provider's retry,
// back-off and eventual-consistency handling is exercised. Rates are fractions between 0 and 1.
type Knobs struct {
	Latency          time.Duration // added to every Graph, ARM and token request
	ReplicationDelay time.Duration // a new object is invisible to reads by id/UPN and to lists for this long
	// PIMReplicationDelay is PIM's own lag on top of ReplicationDelay: a new principal is unknown to role
	// assignment requests (PIM schedule requests and direct roleAssignments) for this much longer. Real tenants
	// show tens of seconds, up to about two minutes.
	PIMReplicationDelay time.Duration
	// PIMMinActiveDuration is how old an active PIM assignment must be before adminRemove may end it; a younger
	// one is refused with 400 ActiveDurationTooShort ("The Active duration is too short. Miniumum Required is 5
	// minutes.", Microsoft's spelling, as reported by PIM tools, e.g. DanielChronlund/DCToolbox#50). Entra
	// requires 5 minutes.
	PIMMinActiveDuration time.Duration
	ThrottleRate         float64       // fraction of Graph/ARM requests answered 429 with Retry-After
	RetryAfter           time.Duration // Retry-After value (whole seconds, at least 1); default 1s
	ServerErrorRate      float64       // fraction answered 503 serviceNotAvailable with Retry-After
	ResetRate            float64       // fraction whose connection is dropped without an answer

	// CAWriteRate is Conditional Access's write throttle: POST, PATCH and DELETE on conditionalAccess/policies
	// beyond this many per second (per tenant, a token bucket holding one write) answer 429 TooManyRequests with
	// a Retry-After computed from the bucket. Graph documents 1 request per second per tenant for all apps
	// ("Identity protection and conditional access service limits"). 0 = unlimited.
	CAWriteRate float64
	// CAThrottleReads counts GETs of Conditional Access policies (list pages and single policies) against the same
	// bucket, the harsher and literal reading of the documentation's "any request"; without it reads are free.
	CAThrottleReads bool
	// CAOmitRetryAfter leaves Retry-After off those 429 answers, as the same documentation says the Conditional
	// Access resources do; clients then have to back off on their own.
	CAOmitRetryAfter bool
	// CAOutsideWriterRate is the probability (0..1) that, right after a GET of one Conditional Access policy,
	// another team's script adds a new GUID to that policy's conditions.users.excludeUsers, as if it wrote
	// between the caller's read and write (see graph_conditionalaccess.go for what the script does afterwards).
	CAOutsideWriterRate float64

	// StaleReadWindow and StaleReadRate are Entra's replicas lagging a write: for StaleReadWindow after a user (or
	// an Entra diagnostic setting, see arm_monitor.go) is created or changed, each read of it by id or UPN (by name), independently of the one before, sees with probability
	// StaleReadRate the version before the write, which for a new user is a 404. A good read can so be followed by
	// a stale one. Source: Microsoft Entra blog "Designing for Eventual Consistency for Microsoft Entra" (2026-03):
	// a read right after a write may reach a replica the write has not reached; azuread waits for several
	// consecutive good reads after creating a user (ContinuousTargetOccurence: 5) for the same reason.
	StaleReadWindow time.Duration
	StaleReadRate   float64

	// PrivilegedTargetRules makes a change of passwordProfile, accountEnabled or authorizationInfo of a user who
	// holds a privileged directory role need a caller holding Privileged Authentication Administrator or Global
	// Administrator, as Entra does (graph_users_privileged.go).
	PrivilegedTargetRules bool
}

// Profiles are named sets of knobs (cmd/tenantsim --profile, the chaos suite). "production" is Entra's own
// magnitudes where Microsoft documents them and the harsher end of what is reported where it does not:
//   - PIMMinActiveDuration 5 minutes (ActiveDurationTooShort, DCToolbox#50);
//   - Conditional Access: one request per second per tenant, reads included, 429 without Retry-After (Graph
//     throttling limits, "Identity protection and conditional access service limits");
//   - replicas lagging writes for 30 s, a third of reads meeting one (Entra blog "Designing for Eventual
//     Consistency for Microsoft Entra": seconds as usual, minutes possible); new objects invisible for 5 s,
//     PIM principals for 30 s more ("tens of seconds, up to about two minutes", see PIMReplicationDelay);
//   - the privileged-target rules (graph_users_privileged.go).
var Profiles = map[string]Knobs{
	"production": {
		ReplicationDelay: 5 * time.Second, PIMReplicationDelay: 30 * time.Second, PIMMinActiveDuration: 5 * time.Minute,
		CAWriteRate: 1, CAThrottleReads: true, CAOmitRetryAfter: true,
		StaleReadWindow: 30 * time.Second, StaleReadRate: 0.3,
		PrivilegedTargetRules: true,
	},
}

// knobsJSON is the wire form of Knobs for PUT/GET /_sim/knobs: durations as Go duration strings ("50ms").
type knobsJSON struct {
	Latency              string  `json:"latency"`
	ReplicationDelay     string  `json:"replication_delay"`
	PIMReplicationDelay  string  `json:"pim_replication_delay"`
	PIMMinActiveDuration string  `json:"pim_min_active_duration"`
	ThrottleRate         float64 `json:"throttle_rate"`
	RetryAfter           string  `json:"retry_after"`
	ServerErrorRate      float64 `json:"server_error_rate"`
	ResetRate            float64 `json:"reset_rate"`
	CAWriteRate          float64 `json:"ca_write_rate"`
	CAThrottleReads      bool    `json:"ca_throttle_reads"`
	CAOmitRetryAfter     bool    `json:"ca_omit_retry_after"`
	CAOutsideWriterRate  float64 `json:"ca_outside_writer_rate"`
	StaleReadWindow      string  `json:"stale_read_window"`
	StaleReadRate        float64 `json:"stale_read_rate"`
	PrivilegedTarget     bool    `json:"privileged_target_rules"`
}

// MarshalJSON writes durations as Go duration strings.
func (k Knobs) MarshalJSON() ([]byte, error) {
	return json.Marshal(knobsJSON{
		Latency:              k.Latency.String(),
		ReplicationDelay:     k.ReplicationDelay.String(),
		PIMReplicationDelay:  k.PIMReplicationDelay.String(),
		PIMMinActiveDuration: k.PIMMinActiveDuration.String(),
		ThrottleRate:         k.ThrottleRate,
		RetryAfter:           k.RetryAfter.String(),
		ServerErrorRate:      k.ServerErrorRate,
		ResetRate:            k.ResetRate,
		CAWriteRate:          k.CAWriteRate,
		CAThrottleReads:      k.CAThrottleReads,
		CAOmitRetryAfter:     k.CAOmitRetryAfter,
		CAOutsideWriterRate:  k.CAOutsideWriterRate,
		StaleReadWindow:      k.StaleReadWindow.String(),
		StaleReadRate:        k.StaleReadRate,
		PrivilegedTarget:     k.PrivilegedTargetRules,
	})
}

// UnmarshalJSON accepts snake_case or Go field names ("replication_delay" or "ReplicationDelay"); durations are
// Go duration strings. Absent fields are zero.
func (k *Knobs) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	var out Knobs
	for name, value := range raw {
		var err error
		switch strings.ToLower(strings.ReplaceAll(name, "_", "")) {
		case "latency":
			out.Latency, err = decodeDuration(value)
		case "replicationdelay":
			out.ReplicationDelay, err = decodeDuration(value)
		case "pimreplicationdelay":
			out.PIMReplicationDelay, err = decodeDuration(value)
		case "pimminactiveduration":
			out.PIMMinActiveDuration, err = decodeDuration(value)
		case "retryafter":
			out.RetryAfter, err = decodeDuration(value)
		case "throttlerate":
			err = json.Unmarshal(value, &out.ThrottleRate)
		case "servererrorrate":
			err = json.Unmarshal(value, &out.ServerErrorRate)
		case "resetrate":
			err = json.Unmarshal(value, &out.ResetRate)
		case "cawriterate":
			err = json.Unmarshal(value, &out.CAWriteRate)
		case "cathrottlereads":
			err = json.Unmarshal(value, &out.CAThrottleReads)
		case "caomitretryafter":
			err = json.Unmarshal(value, &out.CAOmitRetryAfter)
		case "caoutsidewriterrate":
			err = json.Unmarshal(value, &out.CAOutsideWriterRate)
		case "stalereadwindow":
			out.StaleReadWindow, err = decodeDuration(value)
		case "stalereadrate":
			err = json.Unmarshal(value, &out.StaleReadRate)
		case "privilegedtargetrules":
			err = json.Unmarshal(value, &out.PrivilegedTargetRules)
		default:
			err = fmt.Errorf("unknown knob %q", name)
		}
		if err != nil {
			return fmt.Errorf("knob %s: %w", name, err)
		}
	}
	if err := out.validate(); err != nil {
		return err
	}
	*k = out
	return nil
}

func decodeDuration(raw json.RawMessage) (time.Duration, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, fmt.Errorf("want a duration string such as \"50ms\": %w", err)
	}
	if s == "" {
		return 0, nil
	}
	return time.ParseDuration(s)
}

func (k Knobs) validate() error {
	for name, rate := range map[string]float64{"throttle_rate": k.ThrottleRate, "server_error_rate": k.ServerErrorRate,
		"reset_rate": k.ResetRate, "ca_outside_writer_rate": k.CAOutsideWriterRate, "stale_read_rate": k.StaleReadRate} {
		if rate < 0 || rate > 1 || math.IsNaN(rate) {
			return fmt.Errorf("%s must be between 0 and 1, got %v", name, rate)
		}
	}
	if k.CAWriteRate < 0 || math.IsNaN(k.CAWriteRate) || math.IsInf(k.CAWriteRate, 0) {
		return fmt.Errorf("ca_write_rate must be a number of writes per second, 0 or more; got %v", k.CAWriteRate)
	}
	if k.Latency < 0 || k.ReplicationDelay < 0 || k.PIMReplicationDelay < 0 || k.RetryAfter < 0 || k.StaleReadWindow < 0 || k.PIMMinActiveDuration < 0 {
		return fmt.Errorf("durations must not be negative")
	}
	return nil
}

// retryAfterSeconds is the Retry-After header value: whole seconds, rounded up, at least 1.
func (k Knobs) retryAfterSeconds() string {
	secs := int(math.Ceil(k.RetryAfter.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return strconv.Itoa(secs)
}

// SetKnobs replaces all knobs; later requests see the new values.
func (s *Server) SetKnobs(k Knobs) {
	s.knobsMu.Lock()
	defer s.knobsMu.Unlock()
	s.knobs = k
}

// Knobs returns the current knobs.
func (s *Server) Knobs() Knobs {
	s.knobsMu.Lock()
	defer s.knobsMu.Unlock()
	return s.knobs
}

type fault int

const (
	noFault fault = iota
	faultReset
	faultThrottle
	faultServerError
)

// drawFault decides, with the seeded generator, whether this request is dropped, throttled or failed.
// Connection resets are only possible for whole HTTP requests, not for $batch items.
func (s *Server) drawFault(allowReset bool) (fault, Knobs) {
	s.knobsMu.Lock()
	defer s.knobsMu.Unlock()
	k := s.knobs
	if allowReset && k.ResetRate > 0 && s.rng.Float64() < k.ResetRate {
		return faultReset, k
	}
	if k.ThrottleRate > 0 && s.rng.Float64() < k.ThrottleRate {
		return faultThrottle, k
	}
	if k.ServerErrorRate > 0 && s.rng.Float64() < k.ServerErrorRate {
		return faultServerError, k
	}
	return noFault, k
}

// drawStaleRead decides with the seeded generator whether a read written to at written sees the version before.
func (s *Server) drawStaleRead(written, now time.Time) bool {
	s.knobsMu.Lock()
	defer s.knobsMu.Unlock()
	k := s.knobs
	if k.StaleReadRate <= 0 || written.IsZero() || now.Sub(written) >= k.StaleReadWindow {
		return false
	}
	return s.rng.Float64() < k.StaleReadRate
}

// writeFault answers a throttled or failed request the way the affected API does. It reports whether it wrote.
func writeFault(w http.ResponseWriter, r *http.Request, f fault, k Knobs, arm bool) bool {
	switch f {
	case faultThrottle:
		w.Header().Set("Retry-After", k.retryAfterSeconds())
		if arm {
			writeARMError(w, http.StatusTooManyRequests, "TooManyRequests", "The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00. For more information, refer to - https://aka.ms/armthrottling")
		} else {
			writeGraphError(w, r, newGraphError(http.StatusTooManyRequests, "TooManyRequests", "Too many requests."))
		}
		return true
	case faultServerError:
		w.Header().Set("Retry-After", k.retryAfterSeconds())
		if arm {
			writeARMError(w, http.StatusServiceUnavailable, "ServiceUnavailable", "The service is temporarily unavailable. Please retry later.")
		} else {
			writeGraphError(w, r, newGraphError(http.StatusServiceUnavailable, "serviceNotAvailable", "Service unavailable"))
		}
		return true
	}
	return false
}

// resetConnection drops the client's connection without an answer. On HTTP/1.1 it hijacks the connection and
// closes the TCP socket with SO_LINGER 0 (an RST); on HTTP/2, where hijacking is impossible, aborting the handler
// resets the stream.
func resetConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			raw := conn
			if tc, ok := conn.(interface{ NetConn() net.Conn }); ok {
				raw = tc.NetConn()
			}
			if tcp, ok := raw.(*net.TCPConn); ok {
				_ = tcp.SetLinger(0)
			}
			_ = raw.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}
