package acctest

import (
	"bytes"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

// GraphRequests counts the Graph requests the provider logged into logs (a tflogtest.RootLogger's buffer), every
// attempt and retry included: the request budgets of the data sources are checked against it.
func GraphRequests(t *testing.T, logs *bytes.Buffer) int {
	t.Helper()
	entries, err := tflogtest.MultilineJSONDecode(logs)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e["@message"] == "HTTP request" && e["api"] == "graph" {
			n++
		}
	}
	return n
}

// GraphPages is how many list pages Graph answers n rows in at the largest page size the provider asks for (999);
// an empty list is still one page.
func GraphPages(n int) int { return max(1, (n+998)/999) }
