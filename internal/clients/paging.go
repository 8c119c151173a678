package clients

import (
	"context"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
)

// MaxPageSize is the largest $top the directory collections the provider lists accept (servicePrincipals,
// roleAssignments, the PIM schedule instances, group members): a tenant with 5,000 assignments costs 6 pages, not
// 50 at the default of 100.
const MaxPageSize int32 = 999

// CollectionPage is what every msgraph-sdk-go collection response offers.
type CollectionPage[T any] interface {
	GetValue() []T
	GetOdataNextLink() *string
}

// ListAll reads a Graph collection to its end: first fetches page one, next fetches each @odata.nextLink through
// the same request builder (WithUrl), so every page gets the ODataError mapping that Explain needs. The SDK's
// PageIterator is not used: its later pages fail with a bare ApiError (it maps errors only through an error
// registry key nothing registers), so a 403 on page two would lose Graph's code.
func ListAll[T any, P CollectionPage[T]](ctx context.Context, first func(context.Context) (P, error), next func(context.Context, string) (P, error), each func(T)) error {
	return FollowPages(ctx, first, next, func(page P) (string, error) {
		for _, item := range page.GetValue() {
			each(item)
		}
		return helpers.Deref(page.GetOdataNextLink()), nil
	}, allPages)
}

// allPages reads a Graph collection to its end, as Graph's own paging guidance asks.
const allPages = -1

// FollowPages is the paging loop of every list the provider reads, Graph and ARM: visit handles a page and
// returns the link to the next ("" at the end). At most maxPages pages are read when maxPages is not allPages;
// what lies beyond is left unread.
func FollowPages[P any](ctx context.Context, first func(context.Context) (P, error), next func(context.Context, string) (P, error), visit func(P) (string, error), maxPages int) error {
	page, err := first(ctx)
	for read := 1; ; read++ {
		if err != nil {
			return err
		}
		var link string
		if link, err = visit(page); err != nil || link == "" || read == maxPages {
			return err
		}
		page, err = next(ctx, link)
	}
}
