package tenantsim

import (
	"net/url"
	"slices"
	"sync"
)

// Secrets are the secret values a tenant received or issued while it recorded them (RecordSecrets): what a leak
// scan looks for in the logs, plans and state of a run. Every list is in order of first appearance, without
// duplicates.
type Secrets struct {
	// Passwords are the user passwords the tenant received: passwordProfile.password of POST and PATCH /users
	// (accepted or refused), the password of the resource-owner password grant and the Temporary Access Passes the
	// tenant issued (POST temporaryAccessPassMethods).
	Passwords []string
	// Tokens are the JWTs the tenant signed (access tokens of every grant and of the managed identity endpoint,
	// id tokens, its external OIDC issuer's tokens) and the client assertions presented at the token endpoint.
	Tokens []string
	// ClientSecrets are the client secrets presented at the token endpoint, the ones addPassword issued, and the
	// tenant's own standing credentials: the main app's secret (Info.ClientSecret), the managed identity's
	// X-IDENTITY-HEADER and the GitHub request token.
	ClientSecrets []string
}

// secretLedger holds one server's recorded secrets.
type secretLedger struct {
	mu                               sync.Mutex
	passwords, tokens, clientSecrets []string
}

// RecordSecrets makes the server remember, in plaintext and from now on, every password, token and client secret
// it receives or issues, for IssuedSecrets. It is for leak tests; call it before the run to scan.
func (s *Server) RecordSecrets() {
	s.secrets.CompareAndSwap(nil, &secretLedger{})
}

// IssuedSecrets returns what the server recorded since RecordSecrets, plus its standing credentials. Without
// RecordSecrets only the standing credentials are returned.
func (s *Server) IssuedSecrets() Secrets {
	standing := []string{s.mainApp.Secret, s.msiHeader, s.githubToken}
	l := s.ledger()
	if l == nil {
		return Secrets{ClientSecrets: compactNonEmpty(standing)}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return Secrets{
		Passwords:     slices.Clone(l.passwords),
		Tokens:        slices.Clone(l.tokens),
		ClientSecrets: compactNonEmpty(append(standing, l.clientSecrets...)),
	}
}

func (s *Server) ledger() *secretLedger { return s.secrets.Load() }

func (l *secretLedger) add(list *[]string, value string) {
	if l == nil || value == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !slices.Contains(*list, value) {
		*list = append(*list, value)
	}
}

// notePassword records a user password the tenant received (the hook in createUser and patchUser).
func (s *Server) notePassword(password string) {
	if l := s.ledger(); l != nil {
		l.add(&l.passwords, password)
	}
}

// noteToken records a JWT the tenant signed and passes sign's results through:
// tok, err := s.noteToken(key.sign(claims)).
func (s *Server) noteToken(token string, err error) (string, error) {
	if l := s.ledger(); l != nil && err == nil {
		l.add(&l.tokens, token)
	}
	return token, err
}

// noteClientSecret records a client secret the tenant issued (addPassword).
func (s *Server) noteClientSecret(secret string) {
	if l := s.ledger(); l != nil {
		l.add(&l.clientSecrets, secret)
	}
}

// notePresented records the credentials a client presented at the token endpoint, right or wrong.
func (s *Server) notePresented(form url.Values) {
	l := s.ledger()
	if l == nil {
		return
	}
	l.add(&l.clientSecrets, form.Get("client_secret"))
	l.add(&l.tokens, form.Get("client_assertion"))
	l.add(&l.tokens, form.Get("assertion"))
	l.add(&l.passwords, form.Get("password"))
}

func compactNonEmpty(values []string) []string {
	var out []string
	for _, v := range values {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
