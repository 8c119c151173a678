package account

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"
)

// Password lengths, in characters. Entra accepts 8 to 256; our floor is 64 because an emergency account's
// password is rarely typed, kept in a safe, and guards the most privileged account in the tenant, so length
// costs nothing in daily use and every character adds strength against guessing and offline cracking.
const (
	MinPasswordLength     = 64
	MaxPasswordLength     = 256
	DefaultPasswordLength = 128
)

// PasswordSymbols are the symbols Microsoft Entra ID accepts in a password, exactly as listed under "Characters
// allowed" in "Password policies and account restrictions in Microsoft Entra ID"
// (https://learn.microsoft.com/en-us/entra/identity/authentication/concept-sspr-policy#microsoft-entra-password-policies):
//
//	@ # $ % ^ & * - _ ! + = [ ] { } | \ : ' , . ? / ` ~ " ( ) ; < >
//
// Entra also accepts a blank space, which is left out here: a space at either end is lost in copy and paste
// and a space inside splits shell arguments. CheckPasswordComplexity still accepts spaces in passwords users
// bring.
const PasswordSymbols = "@#$%^&*-_!+=[]{}|\\:',.?/`~\"();<>"

const (
	lowercaseLetters = "abcdefghijklmnopqrstuvwxyz"
	uppercaseLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	decimalDigits    = "0123456789"

	passwordAlphabet = lowercaseLetters + uppercaseLetters + decimalDigits + PasswordSymbols
)

// passwordClasses are Entra's four character classes, of which a password needs three; ours get all four.
var passwordClasses = []struct {
	name       string
	characters string
}{
	{"lowercase letters", lowercaseLetters},
	{"uppercase letters", uppercaseLetters},
	{"digits", decimalDigits},
	{"symbols", PasswordSymbols},
}

// GeneratePassword returns a password of length characters drawn uniformly from ASCII letters, digits and
// PasswordSymbols, with at least one character of each class, from crypto/rand.
func GeneratePassword(length int) (string, error) {
	return generatePassword(length, uniformIndex)
}

// generatePassword holds the algorithm; randomIndex is its only source of randomness, so tests can show that the
// statistical test catches a biased one.
func generatePassword(length int, randomIndex func(n int) (int, error)) (string, error) {
	if length < MinPasswordLength || length > MaxPasswordLength {
		return "", fmt.Errorf("password length %d is out of range: choose a length from %d to %d characters",
			length, MinPasswordLength, MaxPasswordLength)
	}
	password := make([]byte, length)
	pick := func(i int, characters string) error {
		k, err := randomIndex(len(characters))
		if err != nil {
			return err
		}
		password[i] = characters[k]
		return nil
	}
	// One character of each class first, so the password meets Entra's complexity rule whatever the draw ...
	for i, class := range passwordClasses {
		if err := pick(i, class.characters); err != nil {
			return "", err
		}
	}
	for i := len(passwordClasses); i < length; i++ {
		if err := pick(i, passwordAlphabet); err != nil {
			return "", err
		}
	}
	// ... then a Fisher–Yates shuffle, so those characters are not always the first four.
	for i := length - 1; i > 0; i-- {
		j, err := randomIndex(i + 1)
		if err != nil {
			return "", err
		}
		password[i], password[j] = password[j], password[i]
	}
	return string(password), nil
}

// uniformIndex returns a uniformly distributed integer in [0, n); rand.Int samples by rejection, so unlike
// taking a random byte modulo n it favours no value.
func uniformIndex(n int) (int, error) {
	k, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		return 0, fmt.Errorf("reading the system's secure random source: %w", err)
	}
	return int(k.Int64()), nil
}

// CheckPasswordComplexity reports why Microsoft Entra ID, or this provider's 64-character floor, would reject a
// user-supplied password, or nil if neither would. The error never quotes the password.
func CheckPasswordComplexity(password string) error {
	var problems []string

	if n := utf8.RuneCountInString(password); n < MinPasswordLength || n > MaxPasswordLength {
		problems = append(problems, fmt.Sprintf("it is %d characters long: use %d to %d characters. Entra accepts "+
			"8 to 256, but an emergency access account's password guards the whole tenant and is rarely typed, so "+
			"this provider asks for at least %d", n, MinPasswordLength, MaxPasswordLength, MinPasswordLength))
	}

	var badPositions []string
	classesPresent := make([]bool, len(passwordClasses))
	position := 0
	for _, r := range password {
		position++
		if r == ' ' {
			continue // allowed by Entra, but not one of its four classes
		}
		class := passwordClassOf(r)
		if class < 0 {
			badPositions = append(badPositions, fmt.Sprint(position))
			continue
		}
		classesPresent[class] = true
	}
	if len(badPositions) > 0 {
		const shown = 5
		if len(badPositions) > shown {
			badPositions = append(badPositions[:shown], "…")
		}
		where := "position "
		if len(badPositions) > 1 {
			where = "positions "
		}
		problems = append(problems, fmt.Sprintf("it has characters Entra does not accept at %s%s: use only "+
			"ASCII letters, digits, spaces and these symbols: %s (no accented letters, tabs, line breaks or "+
			"typographic quotes)", where, strings.Join(badPositions, ", "), PasswordSymbols))
	}

	var missing []string
	for i, present := range classesPresent {
		if !present {
			missing = append(missing, passwordClasses[i].name)
		}
	}
	if len(missing) > 1 {
		problems = append(problems, fmt.Sprintf("it has only %d of the four character classes Entra counts "+
			"(lowercase letters, uppercase letters, digits, symbols) and Entra requires three: add %s",
			len(passwordClasses)-len(missing), strings.Join(missing, " or ")))
	}

	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("the password does not meet the policy:\n- %s", strings.Join(problems, "\n- "))
}

// passwordClassOf returns the index in passwordClasses of the class r belongs to, or -1 if Entra does not
// accept r (a space aside).
func passwordClassOf(r rune) int {
	for i, class := range passwordClasses {
		if strings.ContainsRune(class.characters, r) {
			return i
		}
	}
	return -1
}
