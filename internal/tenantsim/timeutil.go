package tenantsim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Time and duration values as Graph and ARM write and read them.

// graphTime formats a timestamp as Graph does: UTC, at most seven fractional digits.
func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.9999999Z07:00") }

// nullableTime is graphTime, or JSON null for the zero time.
func nullableTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return graphTime(t)
}

// parseDateTime reads an Edm.DateTimeOffset from a request body, with Graph's errors.
func parseDateTime(v any) (time.Time, *graphError) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, primitiveMismatch("Edm.DateTimeOffset")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, badRequest(fmt.Sprintf("Cannot convert the literal '%s' to the expected type 'Edm.DateTimeOffset'.", s))
	}
	return t, nil
}

var isoDurationPattern = regexp.MustCompile(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// parseISODuration reads an ISO 8601 duration such as P180D, PT8H or P1DT12H; years and months count as 365
// and 30 days, as PIM's maximum durations use only days and hours.
func parseISODuration(s string) (time.Duration, error) {
	m := isoDurationPattern.FindStringSubmatch(s)
	if m == nil || s == "P" || s == "PT" || strings.HasSuffix(s, "T") {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration", s)
	}
	units := []time.Duration{365 * 24 * time.Hour, 30 * 24 * time.Hour, 7 * 24 * time.Hour, 24 * time.Hour, time.Hour, time.Minute}
	var total time.Duration
	for i, unit := range units {
		if m[i+1] != "" {
			n, err := strconv.Atoi(m[i+1])
			if err != nil {
				return 0, err
			}
			total += time.Duration(n) * unit
		}
	}
	if m[7] != "" {
		secs, err := strconv.ParseFloat(m[7], 64)
		if err != nil {
			return 0, err
		}
		total += time.Duration(secs * float64(time.Second))
	}
	return total, nil
}

// timestamp formats a timestamp in UTC to the second (RFC 3339).
func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// endOfTime is a "now" after every replication delay, for control-API lookups that ignore the delay.
var endOfTime = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
