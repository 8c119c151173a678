package account

import (
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
