package authmethods

import (
	"context"
	"fmt"
	"time"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

// maxAttempts bounds the writes of one change against writers outside this provider that keep replacing the
// configuration.
const maxAttempts = 6

// maxThrottled bounds the writes Graph may refuse with 429 (or 503, 504) for one change.
const maxThrottled = 30

// readFresh reads the configuration, again and again while the answer is a version a write of this instance
// replaced (instanceState.superseded): a replica that has not seen the write. Nothing may be built on it.
func readFresh(ctx context.Context, c *clients.Client, m method) (methodConfig, error) {
	var wait time.Duration
	for {
		config, err := readConfig(ctx, c, m)
		if err != nil || !stateOf(c).superseded.has(m.configID, config.fingerprint(), time.Now()) {
			return config, err
		}
		if wait = clients.Backoff.Next(wait); !clients.Sleep(ctx, wait) {
			return nil, ctx.Err()
		}
	}
}

// applyChange makes the configuration show ch and returns the read that shows it, and whether it wrote anything.
// check refuses a configuration before anything is written (a disabled method, X.509 prerequisites).
//
// Under the configuration's lock it reads (readFresh), writes the whole collections with the change applied to
// what it read, then reads until the change shows. Graph answers the PATCH with no body and a replica may still
// answer the version before, so a read showing the version the write replaced is waited out; a read showing
// neither means someone wrote over the change, and it is made again from that read.
//
// recentWrite says the resource's own last write is within clients.ReplicationWindow. A later provider instance
// (the next terraform command) does not know the versions that write replaced, so a read that already seems to
// show ch may be a replica from before it; such a read is confirmed by settleReads reads in all, 1 s and 2 s apart,
// before nothing is written. Without it a destroy that read the version before its own create would leave the
// targets in place.
func applyChange(ctx context.Context, c *clients.Client, m method, ch change, check func(methodConfig) error, recentWrite bool) (methodConfig, bool, error) {
	unlock := stateOf(c).configLocks.Lock(m.configID)
	defer unlock()
	wrote, throttled, confirmed := false, 0, 1
	for attempts := 0; attempts < maxAttempts; {
		current, err := readFresh(ctx, c, m)
		if err != nil {
			return nil, wrote, fmt.Errorf("%s", clients.Explain("reading the "+m.configID+" authentication method configuration", permRead, err))
		}
		if check != nil {
			if err := check(current); err != nil {
				return nil, wrote, err
			}
		}
		body := ch.patchBody(current, m)
		if body == nil && recentWrite && !wrote && confirmed < settleReads {
			if !clients.Sleep(ctx, time.Duration(confirmed)*time.Second) {
				return nil, wrote, ctx.Err()
			}
			confirmed++
			continue
		}
		if body == nil {
			return current, wrote, nil
		}
		err = patchConfig(ctx, c, m, body)
		if wait, ok := clients.ThrottledFor(err, throttled); ok && throttled < maxThrottled {
			throttled++
			if !clients.Sleep(ctx, wait) {
				return nil, wrote, ctx.Err()
			}
			continue
		}
		if err != nil {
			return nil, wrote, fmt.Errorf("%s", clients.Explain("updating the "+m.configID+" authentication method configuration", permWrite, err))
		}
		wrote = true
		attempts++
		stateOf(c).superseded.add(m.configID, current.fingerprint(), time.Now())
		shown, err := awaitChange(ctx, c, m, ch)
		if err != nil || shown != nil {
			return shown, wrote, err
		}
	}
	return nil, wrote, fmt.Errorf("the %s authentication method configuration kept changing under us: %d read-modify-write attempts did not stick; run apply again",
		m.configID, maxAttempts)
}

// awaitChange reads until the configuration shows ch and returns that read; nil when a read shows another
// writer's version without the change.
func awaitChange(ctx context.Context, c *clients.Client, m method, ch change) (methodConfig, error) {
	start, wait := time.Now(), time.Duration(0)
	for {
		config, err := readConfig(ctx, c, m)
		switch {
		case err != nil:
			return nil, fmt.Errorf("%s", clients.Explain("reading the "+m.configID+" authentication method configuration to verify the change", permRead, err))
		case ch.shownBy(config):
			return config, nil
		case !stateOf(c).superseded.has(m.configID, config.fingerprint(), time.Now()):
			return nil, nil
		case time.Since(start) > clients.ReplicationWindow:
			return nil, fmt.Errorf("the %s authentication method configuration still does not show this provider's change after %s; run apply again",
				m.configID, clients.ReplicationWindow)
		}
		if wait = clients.Backoff.Next(wait); !clients.Sleep(ctx, wait) {
			return nil, ctx.Err()
		}
	}
}
