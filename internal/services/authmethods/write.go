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
// prior is the resource's own last write when it is recent (recentWrite): a later provider instance does not
// know the versions that write replaced, so until a read shows what it made true, nothing is built on the read
// (last_write.go says why). Without it a destroy that read the version before its own update would put back the
// targets that update took out.
func applyChange(ctx context.Context, c *clients.Client, m method, ch change, check func(methodConfig) error, prior *priorWrite) (methodConfig, bool, error) {
	unlock := stateOf(c).configLocks.Lock(m.configID)
	defer unlock()
	wrote, throttled := false, 0
	var lagging time.Duration // the wait for a replica to show prior
	for attempts := 0; attempts < maxAttempts; {
		current, err := readFresh(ctx, c, m)
		if err != nil {
			return nil, wrote, fmt.Errorf("%s", clients.Explain("reading the "+m.configID+" authentication method configuration", permRead, err))
		}
		if !wrote && prior.unseenBy(current) {
			if lagging = clients.Backoff.Next(lagging); !clients.Sleep(ctx, lagging) {
				return nil, wrote, fmt.Errorf("the %s authentication method configuration still did not show this resource's last change, made %s ago, "+
					"when the time allowed ran out: Entra's replicas had not caught up with it. Nothing was written; run the command again",
					m.configID, time.Since(prior.at).Round(time.Second))
			}
			continue
		}
		if check != nil {
			if err := check(current); err != nil {
				return nil, wrote, err
			}
		}
		body := ch.patchBody(current, m)
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
