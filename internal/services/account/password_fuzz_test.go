package account

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkGenerated fails t unless password is what GeneratePassword promises: length characters, all from
// passwordAlphabet, at least one of each of the four classes, and accepted by CheckPasswordComplexity (the same
// rules users' own passwords must meet).
func checkGenerated(t *testing.T, password string, length int) {
	t.Helper()
	if n := utf8.RuneCountInString(password); n != length || len(password) != length {
		t.Fatalf("generated %d characters (%d bytes), want %d", n, len(password), length)
	}
	for i, r := range password {
		if !strings.ContainsRune(passwordAlphabet, r) {
			t.Fatalf("character %d is %q, which is not in the password alphabet", i+1, r)
		}
	}
	for _, class := range passwordClasses {
		if !strings.ContainsAny(password, class.characters) {
			t.Fatalf("the password has no %s", class.name)
		}
	}
	if err := CheckPasswordComplexity(password); err != nil {
		t.Fatalf("the generator's own password fails the policy: %v", err)
	}
}

// FuzzGeneratePassword fuzzes the one input users choose, the length: in range it must give a compliant password,
// out of range an error and never a panic or a short password.
func FuzzGeneratePassword(f *testing.F) {
	for _, length := range []int{MinPasswordLength, MinPasswordLength - 1, DefaultPasswordLength, MaxPasswordLength,
		MaxPasswordLength + 1, 0, -1, 4, 8, 1 << 31, -(1 << 31)} {
		f.Add(length)
	}
	f.Fuzz(func(t *testing.T, length int) {
		password, err := GeneratePassword(length)
		if length < MinPasswordLength || length > MaxPasswordLength {
			if err == nil || password != "" {
				t.Fatalf("length %d: got %d characters and error %v, want an error and no password", length, len(password), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("length %d: %v", length, err)
		}
		checkGenerated(t, password, length)
	})
}

// FuzzGeneratePasswordRandomSource replaces crypto/rand with draws taken from the fuzzer's bytes, so the fuzzer can
// steer the algorithm into its worst cases (every draw 0, one class never drawn, failures part way): whatever the
// draws, the password keeps all four classes, and a failing source gives an error, not a partial password.
func FuzzGeneratePasswordRandomSource(f *testing.F) {
	f.Add(uint8(0), []byte{0}, -1)
	f.Add(uint8(64), []byte{255, 254, 253}, -1)
	f.Add(uint8(192), []byte{1, 2, 3, 4, 5, 6, 7, 8}, 3)
	f.Add(uint8(255), []byte("abcdefghijklmnopqrstuvwxyz"), 0)
	f.Add(uint8(100), []byte{}, 200)
	f.Fuzz(func(t *testing.T, lengthOffset uint8, draws []byte, failAt int) {
		length := MinPasswordLength + int(lengthOffset)%(MaxPasswordLength-MinPasswordLength+1)
		errSource := errors.New("source failed")
		calls := 0
		source := func(n int) (int, error) {
			if n <= 0 {
				t.Fatalf("randomIndex(%d): the generator asked for a draw from an empty range", n)
			}
			defer func() { calls++ }()
			if calls == failAt {
				return 0, errSource
			}
			if len(draws) == 0 {
				return 0, nil
			}
			return int(draws[calls%len(draws)]) % n, nil
		}
		password, err := generatePassword(length, source)
		if failAt >= 0 && failAt < calls {
			if !errors.Is(err, errSource) || password != "" {
				t.Fatalf("the source failed at draw %d: got %q and %v, want no password and the source's error", failAt, password, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("length %d: %v", length, err)
		}
		checkGenerated(t, password, length)
	})
}

// FuzzCheckPasswordComplexity checks that the policy check never panics, answers the same twice, never quotes the
// password in its error, and judges characters, not their order: a password and its reverse get the same answer.
func FuzzCheckPasswordComplexity(f *testing.F) {
	f.Add("")
	f.Add(strings.Repeat("a", 64))
	f.Add(strings.Repeat("aB3$", 16))
	f.Add(strings.Repeat("aB3 ", 16))
	f.Add(strings.Repeat("é", 64) + "aB3$")
	f.Add(strings.Repeat("aB3$", 64) + "x")
	f.Add("\xff\xfe" + strings.Repeat("Ab1!", 20))
	f.Add(strings.Repeat("Zz9\u201c", 20))
	f.Fuzz(func(t *testing.T, password string) {
		err := CheckPasswordComplexity(password)
		if again := CheckPasswordComplexity(password); (err == nil) != (again == nil) || err != nil && err.Error() != again.Error() {
			t.Fatalf("two answers for the same password: %v, then %v", err, again)
		}
		runes := []rune(password)
		for i, j := 0, len(runes)-1; i < j; i, j = i+1, j-1 {
			runes[i], runes[j] = runes[j], runes[i]
		}
		if reversed := CheckPasswordComplexity(string(runes)); (err == nil) != (reversed == nil) {
			t.Fatalf("the password is judged %v but its reverse %v", err, reversed)
		}
		// Only passwords of policy length are looked for: a short one may be a word of the error's own text.
		if err != nil && len(password) >= MinPasswordLength && strings.Contains(err.Error(), password) {
			t.Fatalf("the error quotes the password: %v", err)
		}
		if err == nil {
			// An accepted password is 64 to 256 of Entra's characters with three of the four classes.
			classes := 0
			for _, class := range passwordClasses {
				if strings.ContainsAny(password, class.characters) {
					classes++
				}
			}
			if n := utf8.RuneCountInString(password); n < MinPasswordLength || n > MaxPasswordLength || classes < 3 ||
				strings.Trim(password, passwordAlphabet+" ") != "" {
				t.Fatalf("accepted a password of %d characters with %d classes and characters outside Entra's set", n, classes)
			}
		}
	})
}
