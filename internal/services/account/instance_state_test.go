package account

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/entra-breakglass/terraform-provider-breakglass/internal/clients"
)

func TestUserFitnessIsPerIDCaseInsensitive(t *testing.T) {
	c := &clients.Client{}
	if _, ok := KnownUserFitness(c, "A"); ok {
		t.Fatal("fitness known before anything was remembered")
	}
	RememberUserFitness(c, "ABC", UserFitness{Synced: true, Licenses: 2})
	if f, ok := KnownUserFitness(c, "abc"); !ok || !f.Synced || f.Licenses != 2 {
		t.Errorf("KnownUserFitness = %+v, %v", f, ok)
	}
	if _, ok := KnownUserFitness(&clients.Client{}, "abc"); ok {
		t.Error("another provider instance knows the fitness")
	}
}

// TestTAPRequestIsClaimedOnce: of many concurrent Opens of one request only one may issue a pass, another provider
// instance (a later plan or apply) none, and a failed issue releases the claim.
func TestTAPRequestIsClaimedOnce(t *testing.T) {
	c := &clients.Client{}
	rememberTAPRequest(c, "r1", tapRequest{userID: "u1", lifetime: 60, usableOnce: true})
	if _, ok := claimTAPRequest(&clients.Client{}, "r1"); ok {
		t.Fatal("another provider instance claimed the request")
	}
	var wg sync.WaitGroup
	var claims atomic.Int32
	for range 50 {
		wg.Go(func() {
			if r, ok := claimTAPRequest(c, "r1"); ok && r.userID == "u1" && r.lifetime == 60 && r.usableOnce {
				claims.Add(1)
			}
		})
	}
	wg.Wait()
	if n := claims.Load(); n != 1 {
		t.Fatalf("%d concurrent claims succeeded, want 1", n)
	}
	settleTAPRequest(c, "r1", "")
	if _, ok := claimTAPRequest(c, "r1"); !ok {
		t.Fatal("a failed issue did not release the claim")
	}
	settleTAPRequest(c, "r1", "m1")
	if _, ok := claimTAPRequest(c, "r1"); ok {
		t.Error("a fulfilled request was claimed again")
	}
	if !issuedForAnotherRequest(c, "r0", "M1") || issuedForAnotherRequest(c, "r1", "m1") {
		t.Error("issuedForAnotherRequest does not tell the request that issued the pass from another")
	}
}
