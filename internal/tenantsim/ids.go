package tenantsim

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Identifiers derived the way Entra derives them, and random values for new ones.

// guidBase64 is base64url of a GUID's .NET byte order (the first three groups little-endian).
func guidBase64(s string) string {
	u, err := uuid.Parse(s)
	if err != nil {
		u = uuid.NewSHA1(uuid.NameSpaceOID, []byte(strings.ToLower(s)))
	}
	b := u[:]
	le := []byte{b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]}
	le = append(le, b[8:]...)
	return base64.RawURLEncoding.EncodeToString(le)
}

// securityIdentifier derives the user's SID the way Entra does: S-1-12-1 followed by the object id as four
// little-endian 32-bit numbers.
func securityIdentifier(id uuid.UUID) string {
	parts := make([]string, 4)
	for i := range parts {
		parts[i] = strconv.FormatUint(uint64(binary.LittleEndian.Uint32(id[i*4:])), 10)
	}
	return "S-1-12-1-" + strings.Join(parts, "-")
}

// randomBytes returns n random bytes, for secrets and key ids.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
