package acctest

import "os"

// CABundle writes to path the certificates SSL_CERT_FILE already names, if any, followed by caFile's, so that a
// process trusting the acceptance tests' tenant can trust a benchmark's own tenant as well. Point SSL_CERT_FILE at
// path before the process's first TLS handshake: Go loads the system roots once.
func CABundle(caFile, path string) error {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return err
	}
	if existing := os.Getenv("SSL_CERT_FILE"); existing != "" {
		if prior, err := os.ReadFile(existing); err == nil {
			pem = append(append(prior, '\n'), pem...)
		}
	}
	return os.WriteFile(path, pem, 0o600)
}
