package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// checkMetadataHost accepts what azurerm's metadata_host accepts: a host name with an optional port.
func checkMetadataHost(v string) error {
	switch {
	case strings.Contains(v, "://"):
		return fmt.Errorf("%q has a scheme; give the host only, e.g. %q", v, v[strings.Index(v, "://")+3:])
	case strings.ContainsAny(v, "/?#"):
		return fmt.Errorf("%q has a path or query; give the host (and optional :port) only", v)
	case strings.TrimSpace(v) != v || v == "":
		return errors.New("the host must not be empty or padded with spaces")
	}
	return nil
}

type metadataHost struct{}

func metadataHostValidator() validator.String { return metadataHost{} }

func (metadataHost) Description(context.Context) string {
	return "must be a host name with an optional port, without scheme or path"
}

func (v metadataHost) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (metadataHost) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := checkMetadataHost(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid metadata_host", err.Error())
	}
}
