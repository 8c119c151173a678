package account

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var _ ephemeral.EphemeralResource = (*passwordEphemeralResource)(nil)

// NewPasswordEphemeralResource returns the breakglass_password ephemeral resource, which needs no provider data:
// it only draws from crypto/rand.
func NewPasswordEphemeralResource() ephemeral.EphemeralResource {
	return &passwordEphemeralResource{}
}

type passwordEphemeralResource struct{}

type passwordEphemeralModel struct {
	Length types.Int64  `tfsdk:"length"`
	Result types.String `tfsdk:"result"`
}

func (e *passwordEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_password"
}

func (e *passwordEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Generates a password that Microsoft Entra ID accepts, for write-only arguments such as " +
			"`breakglass_account.password_wo` and a key vault secret's `value_wo`, so that the same apply can set an " +
			"emergency access account's password and put it in a vault. Being ephemeral, the password is never " +
			"stored in the plan or the state, and each run generates a new one: pair it with `password_wo_version` " +
			"and change that when the password should rotate.\n\n" +
			"The password is drawn from `crypto/rand`, uniformly over ASCII letters, digits and the symbols Entra " +
			"accepts (`" + PasswordSymbols + "`, no spaces), with at least one lowercase letter, uppercase letter, " +
			"digit and symbol.",
		Attributes: map[string]schema.Attribute{
			"length": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The number of characters, from %d to %d. Defaults to `%d`.",
					MinPasswordLength, MaxPasswordLength, DefaultPasswordLength),
				Optional: true,
				Computed: true,
				Validators: []validator.Int64{
					int64validator.Between(MinPasswordLength, MaxPasswordLength),
				},
			},
			"result": schema.StringAttribute{
				MarkdownDescription: "The generated password.",
				Computed:            true,
				Sensitive:           true,
			},
		},
	}
}

func (e *passwordEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var data passwordEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Ephemeral schemas have no Default, so the default length is applied here.
	if data.Length.IsNull() {
		data.Length = types.Int64Value(DefaultPasswordLength)
	}

	password, err := GeneratePassword(int(data.Length.ValueInt64()))
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("length"), "Unable to generate a password", err.Error())
		return
	}
	data.Result = types.StringValue(password)
	resp.Diagnostics.Append(resp.Result.Set(ctx, &data)...)
}
