package clients

import (
	"context"
	"errors"
	"sync"
)

// Parallel runs independent reads at once and returns the first error that is not a cancellation; the others are
// cancelled then. Lists whose pages must be read one after the other (each page names the next) still overlap
// with each other this way.
func Parallel(ctx context.Context, reads ...func(context.Context) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(reads))
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Go(func() {
			if errs[i] = read(ctx); errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}
