package account

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/validate"
)

var (
	_ ephemeral.EphemeralResource              = (*tapEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithConfigure = (*tapEphemeralResource)(nil)
)

// NewTemporaryAccessPassEphemeralResource is the breakglass_temporary_access_pass constructor the provider
// registers.
func NewTemporaryAccessPassEphemeralResource() ephemeral.EphemeralResource {
	return &tapEphemeralResource{}
}

type tapEphemeralResource struct {
	client *clients.Client
}

type tapEphemeralModel struct {
	UserID            types.String `tfsdk:"user_id"`
	RequestID         types.String `tfsdk:"request_id"`
	Value             types.String `tfsdk:"value"`
	Issued            types.Bool   `tfsdk:"issued"`
	ExpiresAt         types.String `tfsdk:"expires_at"`
	IsUsableOnce      types.Bool   `tfsdk:"is_usable_once"`
	LifetimeInMinutes types.Int64  `tfsdk:"lifetime_in_minutes"`
}

func (e *tapEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_temporary_access_pass"
}

func (e *tapEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Issues the Temporary Access Pass a `breakglass_temporary_access_pass_request` asks for, in the " +
			"apply that creates the request, and hands it to a write-only argument (for example a key vault secret's " +
			"`value_wo`) so that the custodian who registers the emergency account's security key can read it. Being " +
			"ephemeral, the pass is never stored in the plan or the state.\n\n" +
			"It issues a pass only when the request was created by the same provider run and has not been fulfilled yet: " +
			"every later plan or apply (and a plain `terraform plan`, which creates nothing) gets `issued = false` and a " +
			"null `value`, and issues nothing. The lifetime and one-time use come from the request.",
		Attributes: map[string]schema.Attribute{
			"user_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The object id of the user: the request's `user_id`.",
				Validators:          []validator.String{validate.ObjectID()},
			},
			"request_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The request's `id`. A new request's id is unknown until apply, so Terraform opens this " +
					"resource only once the request exists.",
			},
			"value": schema.StringAttribute{
				Computed:            true,
				Sensitive:           true,
				MarkdownDescription: "The pass, shown once by Entra; null when `issued` is false.",
			},
			"issued": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether this run issued a pass. False in every run after the one that created the request.",
			},
			"expires_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the pass stops working (RFC 3339); null when `issued` is false.",
			},
			"is_usable_once": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the pass signs in once only, as Entra issued it; null when `issued` is false.",
			},
			"lifetime_in_minutes": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "The pass's lifetime, as Entra issued it; null when `issued` is false.",
			},
		},
	}
}

func (e *tapEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.client = clients.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

// tapPolicyLagWait bounds how long Open retries a refusal by the policy that the request's Create found allowing
// the pass: a replica that has not seen the policy's or the group's latest change answers the version before.
const tapPolicyLagWait = 15 * time.Second

// Open issues a pass only for a request that this provider instance created (the request's Create recorded it in
// the instance's state) and that no Open has fulfilled yet; it marks the request fulfilled under a lock. The
// decision rests on the instance's memory alone, never on a read of Graph, so no stale replica can make it issue
// twice. It is safe because Terraform creates resources only in an apply, and each plan or apply configures a
// new provider instance: a plan (saved or not) has created nothing, so it issues nothing; the apply that creates
// a request opens this resource after the request's Create (request_id refers to it, and was unknown at plan, so
// the plan could not open it) and issues once; every later run knows the request only from state and issues
// nothing. The lifetime and one-time use are the request's, kept with that record: one source, no second copy
// in this resource's configuration to disagree with it.
func (e *tapEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var data tapEphemeralModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	data.Issued = types.BoolValue(false)
	data.Value, data.ExpiresAt = types.StringNull(), types.StringNull()
	data.IsUsableOnce, data.LifetimeInMinutes = types.BoolNull(), types.Int64Null()

	requestID, userID := data.RequestID.ValueString(), data.UserID.ValueString()
	request, ok := claimTAPRequest(e.client, requestID)
	if !ok {
		tflog.Debug(ctx, "Temporary Access Pass request not created in this run: nothing issued", map[string]any{"request_id": requestID})
		resp.Diagnostics.Append(resp.Result.Set(ctx, &data)...)
		return
	}
	if !strings.EqualFold(request.userID, userID) {
		settleTAPRequest(e.client, requestID, "")
		resp.Diagnostics.AddAttributeError(path.Root("user_id"), "User does not match the request",
			fmt.Sprintf("Request %s asks for a pass for user %s, not %s: set user_id to the request's user_id.", requestID, request.userID, userID))
		return
	}

	body := models.NewTemporaryAccessPassAuthenticationMethod()
	lifetime := int32(request.lifetime)
	body.SetLifetimeInMinutes(&lifetime)
	body.SetIsUsableOnce(&request.usableOnce)
	var issued models.TemporaryAccessPassAuthenticationMethodable
	lagCtx, cancel := context.WithTimeout(ctx, tapPolicyLagWait)
	defer cancel()
	err := clients.RetryWhileRefused(lagCtx, "the Temporary Access Pass of user "+userID+" was still refused", "the policy's replication",
		refusedByPolicy, func(ctx context.Context) error {
			var err error
			issued, err = clients.Graph(e.client).Users().ByUserId(userID).Authentication().TemporaryAccessPassMethods().Post(ctx, body, nil)
			return err
		})
	if err != nil {
		settleTAPRequest(e.client, requestID, "")
		resp.Diagnostics.AddError("Cannot issue the Temporary Access Pass", explainTAPWrite("creating a Temporary Access Pass for user "+userID, err))
		return
	}
	pass := helpers.Deref(issued.GetTemporaryAccessPass())
	ctx = tflog.MaskAllFieldValuesStrings(ctx, pass)
	ctx = tflog.MaskMessageStrings(ctx, pass)
	settleTAPRequest(e.client, requestID, helpers.Deref(issued.GetId()))

	data.Issued, data.Value = types.BoolValue(true), types.StringValue(pass)
	data.IsUsableOnce = types.BoolPointerValue(issued.GetIsUsableOnce())
	if minutes := issued.GetLifetimeInMinutes(); minutes != nil {
		data.LifetimeInMinutes = types.Int64Value(int64(*minutes))
		if start := issued.GetStartDateTime(); start != nil {
			data.ExpiresAt = types.StringValue(start.Add(time.Duration(*minutes) * time.Minute).UTC().Format(time.RFC3339))
		}
	}
	tflog.Info(ctx, "Temporary Access Pass issued", map[string]any{"user_id": userID, "request_id": requestID, "expires_at": data.ExpiresAt.ValueString()})
	resp.Diagnostics.Append(resp.Result.Set(ctx, &data)...)
}

// refusedByPolicy is Graph's refusal of a pass the authentication methods policy does not allow (400 "Converged
// UserCredentialPolicy does not allow creating or updating this authentication method"; MicrosoftDocs/azure-docs
// #111778).
func refusedByPolicy(err error) bool {
	ge, ok := clients.AsGraphError(err)
	return ok && ge.Status == 400 && strings.Contains(ge.Message, "UserCredentialPolicy")
}

// explainTAPWrite turns a refused write of a user's Temporary Access Pass into what to do about it.
func explainTAPWrite(operation string, err error) string {
	ge, _ := clients.AsGraphError(err)
	switch {
	case refusedByPolicy(err):
		return fmt.Sprintf("%s: the tenant's authentication methods policy does not allow it. Enable the Temporary Access "+
			"Pass method and include the user, or a group it is a direct member of, in its targets "+
			"(breakglass_authentication_method_targets, or Entra admin center > Protection > Authentication methods > "+
			"Policies > Temporary Access Pass), then change the request's version and apply again. Graph said: %s %s",
			operation, ge.Code, ge.Message)
	case ge.Status == 400 && strings.Contains(strings.ToLower(ge.Message), "lifetime"):
		return fmt.Sprintf("%s: set the request's lifetime_in_minutes within the tenant's Temporary Access Pass policy, "+
			"or change the policy's minimum and maximum lifetime. Graph said: %s %s", operation, ge.Code, ge.Message)
	case clients.IsForbidden(err):
		return fmt.Sprintf("%s: Microsoft Graph refused. The provider's identity needs the application permission %s "+
			"(or %s), with admin consent. For a user who holds a privileged directory role, as an emergency account holds "+
			"Global Administrator, Entra also requires the caller to hold the Privileged Authentication Administrator (or "+
			"Global Administrator) directory role: a Graph permission is not enough. Assign it to the provider's identity "+
			"(Entra admin center > Roles & admins > Privileged Authentication Administrator > Add assignments), then "+
			"change the request's version and apply again. Graph said: %s %s",
			operation, permTAPWrite.Name, permTAPWrite.Alternative, ge.Code, ge.Message)
	}
	return clients.Explain(operation, permTAPWrite, err)
}
