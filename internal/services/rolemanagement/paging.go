package rolemanagement

import (
	"context"
	"errors"
	"sync"
)

// maxPageSize is the largest $top the role management lists accept; every list the audit reads asks for it, so
// a tenant with 5,000 assignments costs 6 pages, not 50 at the default of 100.
const maxPageSize int32 = 999

// collectionPage is what every msgraph-sdk-go collection response offers.
type collectionPage[T any] interface {
	GetValue() []T
	GetOdataNextLink() *string
}

// listAll reads a collection to its end: first fetches page one, next follows each @odata.nextLink through the
// same request builder (WithUrl), so every page gets the typed Graph error mapping that clients.Explain needs.
func listAll[T any, P collectionPage[T]](ctx context.Context, first func(context.Context) (P, error), next func(context.Context, string) (P, error), each func(T)) error {
	page, err := first(ctx)
	for {
		if err != nil {
			return err
		}
		for _, item := range page.GetValue() {
			each(item)
		}
		link := page.GetOdataNextLink()
		if link == nil || *link == "" {
			return nil
		}
		page, err = next(ctx, *link)
	}
}

// parallel runs independent reads at once and returns the first error; the others are cancelled then. Lists whose
// pages must be read one after the other (each page names the next) still overlap with each other this way.
func parallel(ctx context.Context, reads ...func(context.Context) error) error {
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
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
