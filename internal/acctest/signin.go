package acctest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// SignIn signs in as a user with the resource-owner password grant, as an administrator's periodic test of an
// emergency account would, proving the password Entra holds is the one expected. It returns Entra's error text
// when the sign-in is refused.
func SignIn(t *testing.T, upn, password string) error {
	t.Helper()
	c := Client(t)
	form := url.Values{
		"grant_type": {"password"},
		"client_id":  {os.Getenv("ARM_CLIENT_ID")},
		"username":   {upn},
		"password":   {password},
		"scope":      {c.Endpoints.GraphScope()},
	}
	if secret := os.Getenv("ARM_CLIENT_SECRET"); secret != "" {
		form.Set("client_secret", secret)
	}
	tokenURL := c.Endpoints.LoginEndpoint + os.Getenv("ARM_TENANT_ID") + "/oauth2/v2.0/token"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		return nil
	}
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(body, &e)
	return fmt.Errorf("sign-in refused: HTTP %d %s: %s", resp.StatusCode, e.Error, e.Description)
}
