package account

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/helpers"
	"github.com/entra-breakglass/terraform-provider-breakglass/internal/validate"
)

var (
	_ resource.Resource                = (*tapRequestResource)(nil)
	_ resource.ResourceWithConfigure   = (*tapRequestResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*tapRequestResource)(nil)
	_ resource.ResourceWithImportState = (*tapRequestResource)(nil)
)

// Lifetimes of a Temporary Access Pass (Microsoft Entra "Configure Temporary Access Pass": 10 minutes to 30 days;
// the tenant's policy narrows the range, by default to 1 to 8 hours).
const (
	minTAPLifetime     = 10
	maxTAPLifetime     = 43200
	defaultTAPLifetime = 60
)

// NewTemporaryAccessPassRequestResource is the breakglass_temporary_access_pass_request constructor the provider
// registers.
func NewTemporaryAccessPassRequestResource() resource.Resource { return &tapRequestResource{} }

type tapRequestResource struct {
	client *clients.Client
}

type tapRequestModel struct {
	ID                types.String   `tfsdk:"id"`
	UserID            types.String   `tfsdk:"user_id"`
	Version           types.String   `tfsdk:"version"`
	LifetimeInMinutes types.Int64    `tfsdk:"lifetime_in_minutes"`
	IsUsableOnce      types.Bool     `tfsdk:"is_usable_once"`
	RequestedAt       types.String   `tfsdk:"requested_at"`
	Timeouts          timeouts.Value `tfsdk:"timeouts"`
}

func (r *tapRequestResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_temporary_access_pass_request"
}

func (r *tapRequestResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A request for one Temporary Access Pass for a user, to register a security key or passkey " +
			"for an emergency access account. The request issues nothing itself: the ephemeral " +
			"`breakglass_temporary_access_pass` that names it issues the pass in the same apply that creates the " +
			"request, and never again, so the pass is never in the plan or the state and a plain `terraform plan` " +
			"issues none. Change `version` to ask for a new pass.\n\n" +
			"Creating the request checks that the tenant's authentication methods policy enables the Temporary " +
			"Access Pass method for the user (directly, through a group the user is a direct member of, or all " +
			"users) and that `lifetime_in_minutes` lies within the policy's range. Destroying or replacing it " +
			"deletes the user's pass if it was created at or after `requested_at`: a pass left behind is an open door.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "A random id, new for every request: `breakglass_temporary_access_pass.request_id`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"user_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The object id of the user the pass is for, e.g. `breakglass_account.this.object_id`.",
				Validators:          []validator.String{validate.ObjectID()},
				PlanModifiers:       replace,
			},
			"version": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Any value; change it to request a new pass (for example the date of the next key " +
					"registration). Tie the custodian's `value_wo_version` to it.",
				Validators:    []validator.String{validate.NotBlank()},
				PlanModifiers: replace,
			},
			"lifetime_in_minutes": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(defaultTAPLifetime),
				MarkdownDescription: fmt.Sprintf("How long the pass is valid, %d to %d minutes and within the tenant's "+
					"Temporary Access Pass policy (by default 60 to 480). Defaults to `%d`.", minTAPLifetime, maxTAPLifetime, defaultTAPLifetime),
				Validators:    []validator.Int64{int64validator.Between(minTAPLifetime, maxTAPLifetime)},
				PlanModifiers: []planmodifier.Int64{int64planmodifier.RequiresReplace()},
			},
			"is_usable_once": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
				MarkdownDescription: "Whether the pass signs in once only. Defaults to `true`. A policy that makes every " +
					"pass one-time overrides `false`.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
			"requested_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the request was created (RFC 3339).",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"timeouts": timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Delete: true}),
		},
	}
}

func (r *tapRequestResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clients.FromProviderData(req.ProviderData, &resp.Diagnostics)
}

// ModifyPlan warns at plan time, when a new request (or a replacement) names a known user, that Create would be
// refused. A warning, not an error:
// the same apply may enable the method or add the user to its targets (breakglass_authentication_method_targets)
// before the request is created, which this plan cannot see.
func (r *tapRequestResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	// The attributes' RequiresReplace modifiers have run: a non-empty list means this plan creates a request.
	if req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() && len(resp.RequiresReplace) == 0 || r.client == nil {
		return
	}
	var plan tapRequestModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.UserID.IsUnknown() || plan.LifetimeInMinutes.IsUnknown() {
		return
	}
	userID, lifetime := plan.UserID.ValueString(), plan.LifetimeInMinutes.ValueInt64()
	problem, err := tapRefusal(ctx, r.client, userID, lifetime)
	switch {
	case err == nil && problem == "":
		stateOf(r.client).tapAllowed.Put(tapAllowedKey(userID, lifetime), true)
	case err != nil:
		resp.Diagnostics.AddWarning("Cannot check the Temporary Access Pass policy", err.Error())
	case problem != "":
		resp.Diagnostics.AddAttributeWarning(path.Root("user_id"), "The Temporary Access Pass would be refused",
			problem+" Unless this apply changes that, creating the request will fail.")
	}
}

func (r *tapRequestResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan tapRequestModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	userID, lifetime := plan.UserID.ValueString(), plan.LifetimeInMinutes.ValueInt64()
	var problem string
	var err error
	if _, allowed := stateOf(r.client).tapAllowed.Take(tapAllowedKey(userID, lifetime), tapAllowedMaxAge); !allowed {
		problem, err = tapRefusal(ctx, r.client, userID, lifetime)
	}
	// A refusal is read again before it is believed: the same apply may just have changed the policy or the
	// group, and a replica that has not seen it yet answers the version before.
	for n := 1; err == nil && problem != "" && n < settleReads; n++ {
		if !clients.Sleep(ctx, time.Duration(n)*time.Second) {
			break
		}
		problem, err = tapRefusal(ctx, r.client, userID, lifetime)
	}
	switch {
	case err != nil:
		resp.Diagnostics.AddError("Cannot check the Temporary Access Pass policy", err.Error())
		return
	case problem != "":
		resp.Diagnostics.AddAttributeError(path.Root("user_id"), "Temporary Access Pass not allowed", problem)
		return
	}

	plan.ID = types.StringValue(uuid.NewString())
	plan.RequestedAt = types.StringValue(time.Now().UTC().Format(time.RFC3339))
	rememberTAPRequest(r.client, plan.ID.ValueString(), tapRequest{
		userID: userID, lifetime: lifetime, usableOnce: plan.IsUsableOnce.ValueBool(),
	})
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	// A request usually names an account created moments before: within the replication window a refresh does
	// not take the user's 404 for a deletion (confirmUserGone).
	resp.Diagnostics.Append(clients.RememberWrite(ctx, resp.Private)...)
}

// Read keeps the request as it is: it is a record of a request, not an object in the tenant. Only the user's
// deletion, confirmed past replication, removes it.
func (r *tapRequestResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state tapRequestModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Read(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	userID := state.UserID.ValueString()
	_, err := getUser(ctx, r.client, userID)
	if clients.IsNotFound(err) {
		_, recent := clients.WrittenRecently(ctx, req.Private)
		var gone bool
		if _, gone, err = confirmUserGone(ctx, r.client, userID, recent); gone {
			tflog.Warn(ctx, "the user of a Temporary Access Pass request no longer exists; removing the request from state", map[string]any{"user_id": userID})
			resp.State.RemoveResource(ctx)
			return
		}
	}
	if err != nil && !clients.IsNotFound(err) {
		resp.Diagnostics.AddError("Cannot read the user of the Temporary Access Pass request", clients.Explain("reading user "+userID, PermUserRead, err))
	}
}

// Update is reached only by a change of timeouts: every other argument replaces the request.
func (r *tapRequestResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan tapRequestModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// tapAllowedMaxAge is how long ModifyPlan's finding that the policy allows the pass stands in for Create's own
// check: Terraform plans a resource in the apply walk right before it creates it.
const tapAllowedMaxAge = time.Minute

func tapAllowedKey(userID string, lifetime int64) string {
	return fmt.Sprintf("%s/%d", strings.ToLower(userID), lifetime)
}

// tapClockSkew is how far the clock of the machine running Terraform, which stamps requested_at, may be ahead of
// Entra's, which stamps the pass's createdDateTime: Delete still recognizes the request's pass.
const tapClockSkew = time.Minute

// Delete removes the user's pass if it was created for this request or after it (a pass nobody will use again is
// an open door), but not a pass this provider instance has just issued for the request that replaces this one.
func (r *tapRequestResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state tapRequestModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	userID := state.UserID.ValueString()
	requestedAt, err := time.Parse(time.RFC3339, state.RequestedAt.ValueString())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("requested_at"), "Invalid requested_at", err.Error())
		return
	}
	methods := clients.Graph(r.client).Users().ByUserId(userID).Authentication().TemporaryAccessPassMethods()
	list, err := methods.Get(ctx, nil)
	if clients.IsNotFound(err) {
		return // the user is gone, and its pass with it
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot list the user's Temporary Access Pass", clients.Explain("listing the Temporary Access Pass of user "+userID, permTAPWrite, err))
		return
	}
	for _, m := range list.GetValue() {
		id, created := helpers.Deref(m.GetId()), m.GetCreatedDateTime()
		if created == nil || created.Before(requestedAt.Add(-tapClockSkew)) || issuedForAnotherRequest(r.client, state.ID.ValueString(), id) {
			continue
		}
		err := methods.ByTemporaryAccessPassAuthenticationMethodId(id).Delete(ctx, nil)
		if err != nil && !clients.IsNotFound(err) {
			resp.Diagnostics.AddError("Cannot delete the user's Temporary Access Pass", explainTAPWrite("deleting the Temporary Access Pass of user "+userID, err))
			return
		}
	}
}

// ImportState takes `<user object id>/<version>`. An imported request was not made by this provider instance, so
// it issues nothing; its requested_at is the time of import, so destroying it removes only a pass created since.
func (r *tapRequestResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	userID, version, ok := strings.Cut(req.ID, "/")
	if !ok || !validate.IsGUID(userID) || strings.TrimSpace(version) == "" {
		resp.Diagnostics.AddError("Invalid import id", fmt.Sprintf("%q is not <user object id>/<version>, e.g. 00000000-0000-0000-0000-000000000000/1.", req.ID))
		return
	}
	set := func(attr string, value any) {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attr), value)...)
	}
	set("id", uuid.NewString())
	set("user_id", userID)
	set("version", version)
	set("lifetime_in_minutes", int64(defaultTAPLifetime))
	set("is_usable_once", true)
	set("requested_at", time.Now().UTC().Format(time.RFC3339))
}

// tapRefusal says why Graph would refuse a Temporary Access Pass of lifetime minutes for the user, and how to fix
// it, or "" when it would not: the method's configuration must be enabled, include the user (all users, the user,
// or a group the user is a direct member of, as Entra targets the authentication methods policy) without
// excluding it, and allow the lifetime. It reads the configuration and the members of the groups it names.
func tapRefusal(ctx context.Context, c *clients.Client, userID string, lifetime int64) (string, error) {
	got, err := clients.Graph(c).Policies().AuthenticationMethodsPolicy().AuthenticationMethodConfigurations().
		ByAuthenticationMethodConfigurationId("TemporaryAccessPass").Get(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("%s", clients.Explain("reading the Temporary Access Pass method configuration", permAuthPolicyRead, err))
	}
	config, ok := got.(models.TemporaryAccessPassAuthenticationMethodConfigurationable)
	if !ok {
		return "", fmt.Errorf("reading the Temporary Access Pass method configuration: Graph answered a %T", got)
	}
	fix := fmt.Sprintf("Include user %s, or a group it is a direct member of, in the Temporary Access Pass method's "+
		"targets (breakglass_authentication_method_targets, or Entra admin center > Protection > Authentication methods > "+
		"Policies > Temporary Access Pass), then apply again.", userID)
	if config.GetState() == nil || *config.GetState() != models.ENABLED_AUTHENTICATIONMETHODSTATE {
		return "The Temporary Access Pass authentication method is disabled in the tenant's authentication methods policy. " +
			"Enable it (Entra admin center > Protection > Authentication methods > Policies > Temporary Access Pass) and " +
			strings.ToLower(fix[:1]) + fix[1:], nil
	}
	var included, excluded []string // group ids
	targeted := false
	for _, t := range config.GetIncludeTargets() {
		switch id := helpers.Deref(t.GetId()); {
		case id == "all_users", strings.EqualFold(id, userID):
			targeted = true
		case t.GetTargetType() != nil && *t.GetTargetType() == models.GROUP_AUTHENTICATIONMETHODTARGETTYPE:
			included = append(included, id)
		}
	}
	for _, t := range config.GetExcludeTargets() {
		switch id := helpers.Deref(t.GetId()); {
		case strings.EqualFold(id, userID):
			return fmt.Sprintf("User %s is excluded from the Temporary Access Pass method. Remove it from the method's "+
				"exclusions, then apply again.", userID), nil
		case t.GetTargetType() != nil && *t.GetTargetType() == models.GROUP_AUTHENTICATIONMETHODTARGETTYPE:
			excluded = append(excluded, id)
		}
	}
	for _, gid := range excluded {
		member, err := isDirectMember(ctx, c, gid, userID)
		if err != nil || member {
			return fmt.Sprintf("User %s is a member of group %s, which the Temporary Access Pass method excludes. "+
				"Remove the user from that group or the group from the method's exclusions, then apply again.", userID, gid), err
		}
	}
	for _, gid := range included {
		if targeted {
			break
		}
		if targeted, err = isDirectMember(ctx, c, gid, userID); err != nil {
			return "", err
		}
	}
	if !targeted {
		return "The Temporary Access Pass method does not target user " + userID + ". " + fix, nil
	}
	if minimum, maximum := config.GetMinimumLifetimeInMinutes(), config.GetMaximumLifetimeInMinutes(); minimum != nil && maximum != nil &&
		(lifetime < int64(*minimum) || lifetime > int64(*maximum)) {
		return fmt.Sprintf("lifetime_in_minutes %d lies outside the tenant's Temporary Access Pass policy, %d to %d minutes. "+
			"Set lifetime_in_minutes within that range, or change the policy's minimum and maximum lifetime.", lifetime, *minimum, *maximum), nil
	}
	return "", nil
}

// isDirectMember lists the group's direct members, page by page, and reports whether the user is among them.
// Graph offers no cheaper test of direct membership that the provider's permissions allow.
func isDirectMember(ctx context.Context, c *clients.Client, groupID, userID string) (bool, error) {
	members := clients.Graph(c).Groups().ByGroupId(groupID).Members()
	top := clients.MaxPageSize
	found := false
	err := clients.ListAll(ctx,
		func(ctx context.Context) (models.DirectoryObjectCollectionResponseable, error) {
			return members.Get(ctx, &groups.ItemMembersRequestBuilderGetRequestConfiguration{
				QueryParameters: &groups.ItemMembersRequestBuilderGetQueryParameters{Select: []string{"id"}, Top: &top},
			})
		},
		func(ctx context.Context, link string) (models.DirectoryObjectCollectionResponseable, error) {
			return members.WithUrl(link).Get(ctx, nil)
		},
		func(o models.DirectoryObjectable) {
			found = found || strings.EqualFold(helpers.Deref(o.GetId()), userID)
		})
	if err != nil {
		return false, fmt.Errorf("%s", clients.Explain("listing the members of group "+groupID, permGroupMemberRead, err))
	}
	return found, nil
}
