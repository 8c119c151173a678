package clientcompat_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/google/uuid"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	azauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/policies"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/users"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/tenantsim"
)

// sim is shared by every test here: the process trusts its CA the way users do, via SSL_CERT_FILE, and Go
// loads the system pool only once per process.
var sim *tenantsim.Server

func TestMain(m *testing.M) {
	var err error
	if sim, err = tenantsim.Start(tenantsim.Config{RandSeed: 1}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.Setenv("SSL_CERT_FILE", sim.Info().CAFile); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	_ = sim.Close()
	os.Exit(code)
}

func clientOptions(srv *tenantsim.Server) azcore.ClientOptions {
	return azcore.ClientOptions{Cloud: cloud.Configuration{ActiveDirectoryAuthorityHost: "https://" + srv.Info().MetadataHost + "/"}}
}

func graphClient(t *testing.T, srv *tenantsim.Server, cred azcore.TokenCredential) (*msgraphsdk.GraphServiceClient, *msgraphsdk.GraphRequestAdapter) {
	t.Helper()
	auth, err := azauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{tenantsim.GraphResourceID + ".default"}, []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapter(auth)
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl("https://" + srv.Info().MetadataHost + "/v1.0")
	return msgraphsdk.NewGraphServiceClient(adapter), adapter
}

// plainGraphClient is a Graph client without request compression, as internal/clients builds it.
func plainGraphClient(t *testing.T, srv *tenantsim.Server, cred azcore.TokenCredential) *msgraphsdk.GraphServiceClient {
	t.Helper()
	auth, err := azauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(cred, []string{tenantsim.GraphResourceID + ".default"}, []string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	middleware, err := khttp.GetDefaultMiddlewaresWithOptions(khttp.NewCompressionOptionsReference(false))
	if err != nil {
		t.Fatal(err)
	}
	adapter, err := msgraphsdk.NewGraphRequestAdapterWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(auth, nil, nil, khttp.GetDefaultClient(middleware...))
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl("https://" + srv.Info().MetadataHost + "/v1.0")
	return msgraphsdk.NewGraphServiceClient(adapter)
}

func TestSDKsAgainstSimulator(t *testing.T) {
	srv := sim
	info := srv.Info()
	ctx := context.Background()
	cred, err := azidentity.NewClientSecretCredential(info.TenantID, info.ClientID, info.ClientSecret,
		&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(srv), DisableInstanceDiscovery: true})
	if err != nil {
		t.Fatal(err)
	}
	client, adapter := graphClient(t, srv, cred)

	t.Run("create, read, update, error mapping", func(t *testing.T) {
		user := models.NewUser()
		user.SetAccountEnabled(new(true))
		user.SetDisplayName(new("SDK user"))
		user.SetMailNickname(new("sdkuser"))
		user.SetUserPrincipalName(new("sdkuser@contoso.onmicrosoft.com"))
		profile := models.NewPasswordProfile()
		profile.SetPassword(new("Sdk-Passw0rd-Value!"))
		profile.SetForceChangePasswordNextSignIn(new(false))
		user.SetPasswordProfile(profile)
		created, err := client.Users().Post(ctx, user, nil)
		if err != nil {
			t.Fatal(describe(err))
		}
		id := *created.GetId()

		patch := models.NewUser()
		patch.SetJobTitle(new("Break glass"))
		if _, err := client.Users().ByUserId(id).Patch(ctx, patch, nil); err != nil {
			t.Fatal(describe(err))
		}
		got, err := client.Users().ByUserId(id).Get(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{Select: []string{"id", "accountEnabled", "jobTitle", "onPremisesSyncEnabled"}},
		})
		if err != nil {
			t.Fatal(describe(err))
		}
		if !*got.GetAccountEnabled() || *got.GetJobTitle() != "Break glass" || got.GetOnPremisesSyncEnabled() != nil {
			t.Fatalf("read back %v %v", got.GetAccountEnabled(), got.GetJobTitle())
		}

		_, err = client.Users().ByUserId(uuid.NewString()).Get(ctx, nil)
		var odataErr *odataerrors.ODataError
		if !errors.As(err, &odataErr) || *odataErr.GetErrorEscaped().GetCode() != "Request_ResourceNotFound" || odataErr.ResponseStatusCode != http.StatusNotFound {
			t.Fatalf("404 not mapped: %v", describe(err))
		}
	})

	t.Run("page iterator follows nextLink", func(t *testing.T) {
		if err := srv.AddUsers(tenantsim.GenerateUsers(150)); err != nil {
			t.Fatal(err)
		}
		first, err := client.Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
			QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Select: []string{"id"}, Top: new(int32(40))},
		})
		if err != nil {
			t.Fatal(describe(err))
		}
		it, err := msgraphcore.NewPageIterator[models.Userable](first, adapter, models.CreateUserCollectionResponseFromDiscriminatorValue)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		if err := it.Iterate(ctx, func(models.Userable) bool { n++; return true }); err != nil {
			t.Fatal(describe(err))
		}
		if n != len(srv.Users()) {
			t.Fatalf("iterated %d of %d users", n, len(srv.Users()))
		}
	})

	t.Run("batch", func(t *testing.T) {
		batch := msgraphcore.NewBatchRequest(adapter)
		get, err := client.Users().ByUserId(tenantsim.FixtureLicensedUserID).ToGetRequestInformation(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		item, err := batch.AddBatchRequestStep(*get)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := batch.Send(ctx, adapter)
		if err != nil {
			t.Fatal(describe(err))
		}
		user, err := msgraphcore.GetBatchResponseById[models.Userable](resp, *item.GetId(), models.CreateUserFromDiscriminatorValue)
		if err != nil || *user.GetUserPrincipalName() != "megan.bowen@contoso.com" {
			t.Fatalf("batch item: %v", describe(err))
		}
	})

	t.Run("PIM permanent assignment and policy rule", func(t *testing.T) {
		user := models.NewUser()
		user.SetAccountEnabled(new(true))
		user.SetDisplayName(new("SDK PIM user"))
		user.SetMailNickname(new("sdkpim"))
		user.SetUserPrincipalName(new("sdkpim@contoso.onmicrosoft.com"))
		profile := models.NewPasswordProfile()
		profile.SetPassword(new("Sdk-Passw0rd-Value!"))
		user.SetPasswordProfile(profile)
		created, err := client.Users().Post(ctx, user, nil)
		if err != nil {
			t.Fatal(describe(err))
		}
		principalID := *created.GetId()
		request := func(principal string) models.UnifiedRoleAssignmentScheduleRequestable {
			req := models.NewUnifiedRoleAssignmentScheduleRequest()
			req.SetAction(new(models.ADMINASSIGN_UNIFIEDROLESCHEDULEREQUESTACTIONS))
			req.SetPrincipalId(new(principal))
			req.SetRoleDefinitionId(new(tenantsim.GlobalAdministratorRoleID))
			req.SetDirectoryScopeId(new("/"))
			req.SetJustification(new("Emergency access"))
			expiration := models.NewExpirationPattern()
			expiration.SetTypeEscaped(new(models.NOEXPIRATION_EXPIRATIONPATTERNTYPE))
			schedule := models.NewRequestSchedule()
			schedule.SetStartDateTime(new(time.Now()))
			schedule.SetExpiration(expiration)
			req.SetScheduleInfo(schedule)
			return req
		}
		requests := client.RoleManagement().Directory().RoleAssignmentScheduleRequests()
		answer, err := requests.Post(ctx, request(principalID), nil)
		if err != nil {
			t.Fatal(describe(err))
		}
		if *answer.GetStatus() != "Provisioned" || *answer.GetScheduleInfo().GetExpiration().GetTypeEscaped() != models.NOEXPIRATION_EXPIRATIONPATTERNTYPE {
			t.Fatalf("request answer %v", *answer.GetStatus())
		}
		_, err = requests.Post(ctx, request(principalID), nil)
		var odataErr *odataerrors.ODataError
		if !errors.As(err, &odataErr) || *odataErr.GetErrorEscaped().GetCode() != "RoleAssignmentExists" || odataErr.ResponseStatusCode != http.StatusBadRequest {
			t.Fatalf("duplicate not mapped: %v", describe(err))
		}
		_, err = requests.Post(ctx, request(uuid.NewString()), nil)
		if !errors.As(err, &odataErr) || *odataErr.GetErrorEscaped().GetCode() != "SubjectNotFound" || odataErr.ResponseStatusCode != http.StatusNotFound {
			t.Fatalf("unknown principal not mapped: %v", describe(err))
		}

		filter := fmt.Sprintf("principalId eq '%s' and roleDefinitionId eq '%s'", principalID, tenantsim.GlobalAdministratorRoleID)
		schedules, err := client.RoleManagement().Directory().RoleAssignmentSchedules().Get(ctx, &rolemanagement.DirectoryRoleAssignmentSchedulesRequestBuilderGetRequestConfiguration{
			QueryParameters: &rolemanagement.DirectoryRoleAssignmentSchedulesRequestBuilderGetQueryParameters{Filter: &filter, Expand: []string{"principal", "roleDefinition"}},
		})
		if err != nil {
			t.Fatal(describe(err))
		}
		if len(schedules.GetValue()) != 1 {
			t.Fatalf("%d schedules", len(schedules.GetValue()))
		}
		sched := schedules.GetValue()[0]
		principal, isUser := sched.GetPrincipal().(models.Userable)
		if !isUser || *principal.GetUserPrincipalName() != "sdkpim@contoso.onmicrosoft.com" || *sched.GetRoleDefinition().GetDisplayName() != "Global Administrator" ||
			*sched.GetCreatedUsing() != *answer.GetId() || *sched.GetScheduleInfo().GetExpiration().GetTypeEscaped() != models.NOEXPIRATION_EXPIRATIONPATTERNTYPE {
			t.Fatalf("schedule %v", sched.GetId())
		}

		assignments := "scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '" + tenantsim.GlobalAdministratorRoleID + "'"
		assigned, err := client.Policies().RoleManagementPolicyAssignments().Get(ctx, &policies.RoleManagementPolicyAssignmentsRequestBuilderGetRequestConfiguration{
			QueryParameters: &policies.RoleManagementPolicyAssignmentsRequestBuilderGetQueryParameters{Filter: &assignments, Expand: []string{"policy($expand=rules)"}},
		})
		if err != nil || len(assigned.GetValue()) != 1 {
			t.Fatalf("policy assignments: %v", describe(err))
		}
		policy := assigned.GetValue()[0].GetPolicy()
		var expirationRule models.UnifiedRoleManagementPolicyExpirationRuleable
		for _, rule := range policy.GetRules() {
			if r, ok := rule.(models.UnifiedRoleManagementPolicyExpirationRuleable); ok && *r.GetId() == "Expiration_Admin_Assignment" {
				expirationRule = r
			}
		}
		if expirationRule == nil || *expirationRule.GetIsExpirationRequired() || expirationRule.GetMaximumDuration().String() == "" {
			t.Fatalf("expiration rule %v", expirationRule)
		}
		patch := models.NewUnifiedRoleManagementPolicyExpirationRule()
		patch.SetId(new("Expiration_Admin_Assignment"))
		patch.SetIsExpirationRequired(new(true))
		maximum, err := serialization.ParseISODuration("P90D")
		if err != nil {
			t.Fatal(err)
		}
		patch.SetMaximumDuration(maximum)
		rules := client.Policies().RoleManagementPolicies().ByUnifiedRoleManagementPolicyId(*policy.GetId()).Rules()
		if _, err := rules.ByUnifiedRoleManagementPolicyRuleId("Expiration_Admin_Assignment").Patch(ctx, patch, nil); err != nil {
			t.Fatal(describe(err))
		}
		_, err = requests.Post(ctx, request(principalID), nil)
		if !errors.As(err, &odataErr) || *odataErr.GetErrorEscaped().GetCode() != "RoleAssignmentExists" {
			t.Fatalf("duplicate after patch: %v", describe(err))
		}
		patch.SetIsExpirationRequired(new(false))
		if _, err := rules.ByUnifiedRoleManagementPolicyRuleId("Expiration_Admin_Assignment").Patch(ctx, patch, nil); err != nil {
			t.Fatal(describe(err))
		}
	})

	t.Run("conditional access read-modify-write", func(t *testing.T) {
		policies := client.Identity().ConditionalAccess().Policies()
		list, err := policies.Get(ctx, nil)
		if err != nil {
			t.Fatal(describe(err))
		}
		if len(list.GetValue()) < 8 {
			t.Fatalf("%d policies", len(list.GetValue()))
		}
		strength, err := policies.ByConditionalAccessPolicyId(tenantsim.FixtureCAPolicyPhishingResistantAdminsID).Get(ctx, nil)
		if err != nil {
			t.Fatal(describe(err))
		}
		if as := strength.GetGrantControls().GetAuthenticationStrength(); as == nil || *as.GetId() != tenantsim.AuthStrengthPhishingResistantID ||
			*strength.GetState() != models.ENABLED_CONDITIONALACCESSPOLICYSTATE {
			t.Fatalf("authentication strength policy %v", strength.GetGrantControls())
		}

		// What breakglass_ca_policy_exclusion sends: all of conditions.users, with one id more, and nothing else.
		policyID := tenantsim.FixtureCAPolicyAdminMFAReportOnlyID
		before, err := policies.ByConditionalAccessPolicyId(policyID).Get(ctx, nil)
		if err != nil {
			t.Fatal(describe(err))
		}
		if *before.GetState() != models.ENABLEDFORREPORTINGBUTNOTENFORCED_CONDITIONALACCESSPOLICYSTATE {
			t.Fatalf("state %v", before.GetState().String())
		}
		read := before.GetConditions().GetUsers()
		mine := uuid.NewString()
		// A fresh object with every member set: msgraph-sdk-go's backing store sends only the members it saw
		// change, and a nested object read from a response never records changes (its store is left in
		// initialization), so read.SetExcludeUsers(...) on the object from the GET would PATCH {"users": {}}.
		users := models.NewConditionalAccessUsers()
		users.SetIncludeUsers(read.GetIncludeUsers())
		users.SetIncludeGroups(read.GetIncludeGroups())
		users.SetIncludeRoles(read.GetIncludeRoles())
		users.SetExcludeUsers(append(append([]string{}, read.GetExcludeUsers()...), mine))
		users.SetExcludeGroups(read.GetExcludeGroups())
		users.SetExcludeRoles(read.GetExcludeRoles())
		conditions := models.NewConditionalAccessConditionSet()
		conditions.SetUsers(users)
		patch := models.NewConditionalAccessPolicy()
		patch.SetConditions(conditions)
		srv.SetKnobs(tenantsim.Knobs{CAWriteRate: 1})
		defer srv.SetKnobs(tenantsim.Knobs{})
		if _, err := policies.ByConditionalAccessPolicyId(policyID).Patch(ctx, patch, nil); err != nil {
			t.Fatal(describe(err))
		}
		// The next write is throttled; kiota's retry handler waits the Retry-After and succeeds. This needs request
		// compression off, as the provider's client has it: with kiota-http-go's default compression handler the
		// retry re-sends the plain JSON body under "Content-Encoding: gzip" (the compression handler works on a
		// copy of the request made for tracing, but sets the header on the shared header map), and the service
		// answers 400.
		plain := plainGraphClient(t, srv, cred)
		if _, err := plain.Identity().ConditionalAccess().Policies().ByConditionalAccessPolicyId(policyID).Patch(ctx, patch, nil); err != nil {
			t.Fatalf("throttled write not retried: %v", describe(err))
		}
		after, err := policies.ByConditionalAccessPolicyId(policyID).Get(ctx, nil)
		if err != nil {
			t.Fatal(describe(err))
		}
		got := after.GetConditions().GetUsers().GetExcludeUsers()
		if len(got) != len(read.GetExcludeUsers())+1 || got[len(got)-1] != mine ||
			len(after.GetConditions().GetApplications().GetIncludeApplications()) != 1 ||
			len(after.GetGrantControls().GetBuiltInControls()) != 1 || *after.GetState() != *before.GetState() {
			t.Fatalf("after PATCH: excludeUsers %v", got)
		}

		_, err = policies.ByConditionalAccessPolicyId(uuid.NewString()).Get(ctx, nil)
		var odataErr *odataerrors.ODataError
		if !errors.As(err, &odataErr) || odataErr.ResponseStatusCode != http.StatusNotFound {
			t.Fatalf("404 not mapped: %v", describe(err))
		}
		bad := models.NewConditionalAccessPolicy()
		bad.SetAdditionalData(map[string]any{"excludedUsers": []any{"x"}})
		srv.SetKnobs(tenantsim.Knobs{})
		_, err = policies.ByConditionalAccessPolicyId(policyID).Patch(ctx, bad, nil)
		if !errors.As(err, &odataErr) || odataErr.ResponseStatusCode != http.StatusBadRequest || *odataErr.GetErrorEscaped().GetCode() != "BadRequest" {
			t.Fatalf("1007 not mapped: %v", describe(err))
		}
	})

	t.Run("authentication methods policy and Temporary Access Pass", func(t *testing.T) {
		configs := client.Policies().AuthenticationMethodsPolicy().AuthenticationMethodConfigurations()
		got, err := configs.ByAuthenticationMethodConfigurationId("Fido2").Get(ctx, nil)
		if err != nil {
			t.Fatal(describe(err))
		}
		fido2, ok := got.(*models.Fido2AuthenticationMethodConfiguration)
		if !ok || len(fido2.GetIncludeTargets()) != 1 {
			t.Fatalf("Fido2 configuration %T %v", got, fido2)
		}
		// Read-modify-write: a fresh object with the targets read plus ours (see the CA case on the backing store).
		mine := uuid.NewString()
		target := models.NewAuthenticationMethodTarget()
		target.SetId(new(mine))
		target.SetTargetType(new(models.USER_AUTHENTICATIONMETHODTARGETTYPE))
		target.SetIsRegistrationRequired(new(false))
		restrictions := models.NewFido2KeyRestrictions()
		restrictions.SetIsEnforced(new(true))
		restrictions.SetEnforcementType(new(models.ALLOW_FIDO2RESTRICTIONENFORCEMENTTYPE))
		restrictions.SetAaGuids([]string{"2fc0579f-8113-47ea-b116-bb5a8db9202a"})
		patch := models.NewFido2AuthenticationMethodConfiguration()
		patch.SetIncludeTargets(append(fido2.GetIncludeTargets(), target))
		patch.SetKeyRestrictions(restrictions)
		if _, err := configs.ByAuthenticationMethodConfigurationId("Fido2").Patch(ctx, patch, nil); err != nil {
			t.Fatal(describe(err))
		}
		stored, _ := srv.AuthMethodConfig("Fido2")
		if targets, _ := stored["includeTargets"].([]any); len(targets) != 2 {
			t.Fatalf("includeTargets after PATCH: %v", stored["includeTargets"])
		}

		user := models.NewUser()
		user.SetAccountEnabled(new(true))
		user.SetDisplayName(new("SDK TAP user"))
		user.SetMailNickname(new("sdktap"))
		user.SetUserPrincipalName(new("sdktap@contoso.onmicrosoft.com"))
		profile := models.NewPasswordProfile()
		profile.SetPassword(new("Sdk-Tap-Passw0rd-Value!"))
		user.SetPasswordProfile(profile)
		created, err := client.Users().Post(ctx, user, nil)
		if err != nil {
			t.Fatal(describe(err))
		}
		taps := client.Users().ByUserId(*created.GetId()).Authentication().TemporaryAccessPassMethods()
		tap := models.NewTemporaryAccessPassAuthenticationMethod()
		tap.SetLifetimeInMinutes(new(int32(60)))
		_, err = taps.Post(ctx, tap, nil)
		var odataErr *odataerrors.ODataError
		if !errors.As(err, &odataErr) || odataErr.ResponseStatusCode != http.StatusBadRequest {
			t.Fatalf("a TAP for a user outside the policy: %v", describe(err))
		}
		if err := srv.AddGroupMember(tenantsim.FixtureTAPHelpdeskGroupID, *created.GetId()); err != nil {
			t.Fatal(err)
		}
		issued, err := taps.Post(ctx, tap, nil)
		if err != nil {
			t.Fatal(describe(err))
		}
		if issued.GetTemporaryAccessPass() == nil || *issued.GetLifetimeInMinutes() != 60 || !*issued.GetIsUsable() {
			t.Fatalf("TAP %v", issued.GetTemporaryAccessPass())
		}
		list, err := taps.Get(ctx, nil)
		if err != nil {
			t.Fatal(describe(err))
		}
		if len(list.GetValue()) != 1 || list.GetValue()[0].GetTemporaryAccessPass() != nil {
			t.Fatal("the list shows the pass again")
		}
	})

	t.Run("kiota retry honours Retry-After", func(t *testing.T) {
		srv.SetKnobs(tenantsim.Knobs{ThrottleRate: 1, RetryAfter: time.Second})
		go func() { time.Sleep(300 * time.Millisecond); srv.SetKnobs(tenantsim.Knobs{}) }()
		if _, err := client.Organization().Get(ctx, nil); err != nil {
			t.Fatalf("throttled request not retried: %v", describe(err))
		}
	})
}

func TestCredentialsAgainstSimulator(t *testing.T) {
	srv := sim
	info := srv.Info()
	ctx := context.Background()
	scope := policy.TokenRequestOptions{Scopes: []string{tenantsim.GraphResourceID + ".default"}}

	t.Run("client certificate", func(t *testing.T) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ci"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
		der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		cert, _ := x509.ParseCertificate(der)
		clientID := uuid.NewString()
		if err := srv.RegisterApp(tenantsim.App{ClientID: clientID, Certificate: cert, Roles: []string{"User.Read.All"}}); err != nil {
			t.Fatal(err)
		}
		cred, err := azidentity.NewClientCertificateCredential(info.TenantID, clientID, []*x509.Certificate{cert}, key,
			&azidentity.ClientCertificateCredentialOptions{ClientOptions: clientOptions(srv), DisableInstanceDiscovery: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cred.GetToken(ctx, scope); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("federated (GitHub Actions OIDC)", func(t *testing.T) {
		cred, err := azidentity.NewClientAssertionCredential(info.TenantID, info.ClientID, func(context.Context) (string, error) {
			return srv.IssueOIDCToken("repo:entra-breakglass/demo:ref:refs/heads/main", "api://AzureADTokenExchange")
		}, &azidentity.ClientAssertionCredentialOptions{ClientOptions: clientOptions(srv), DisableInstanceDiscovery: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cred.GetToken(ctx, scope); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("wrong secret surfaces AADSTS7000215", func(t *testing.T) {
		cred, err := azidentity.NewClientSecretCredential(info.TenantID, info.ClientID, "wrong",
			&azidentity.ClientSecretCredentialOptions{ClientOptions: clientOptions(srv), DisableInstanceDiscovery: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = cred.GetToken(ctx, scope)
		var authErr *azidentity.AuthenticationFailedError
		if !errors.As(err, &authErr) || authErr.RawResponse == nil || authErr.RawResponse.StatusCode != http.StatusUnauthorized {
			t.Fatalf("error %v", err)
		}
	})

	t.Run("App Service managed identity", func(t *testing.T) {
		endpoint, header, clientID := srv.ManagedIdentity()
		t.Setenv("IDENTITY_ENDPOINT", endpoint)
		t.Setenv("IDENTITY_HEADER", header)
		cred, err := azidentity.NewManagedIdentityCredential(&azidentity.ManagedIdentityCredentialOptions{ID: azidentity.ClientID(clientID)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cred.GetToken(ctx, scope); err != nil {
			t.Fatal(err)
		}
	})
}

// describe unwraps Graph's OData error for a readable failure message.
func describe(err error) string {
	var odataErr *odataerrors.ODataError
	if errors.As(err, &odataErr) && odataErr.GetErrorEscaped() != nil {
		return *odataErr.GetErrorEscaped().GetCode() + ": " + *odataErr.GetErrorEscaped().GetMessage()
	}
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
