package account

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

func TestPasswordSymbols(t *testing.T) {
	t.Parallel()
	// Transcribed from the "Characters allowed" row of Microsoft's password policy table, minus the blank space.
	const documented = "@ # $ % ^ & * - _ ! + = [ ] { } | \\ : ' , . ? / ` ~ \" ( ) ; < >"
	want := strings.ReplaceAll(documented, " ", "")
	if PasswordSymbols != want {
		t.Fatalf("PasswordSymbols = %q, want %q", PasswordSymbols, want)
	}
	seen := map[rune]bool{}
	for _, r := range PasswordSymbols {
		if seen[r] {
			t.Errorf("symbol %q appears twice", r)
		}
		seen[r] = true
	}
	if strings.ContainsRune(PasswordSymbols, ' ') {
		t.Error("PasswordSymbols contains a space")
	}
}

func TestGeneratePassword_length(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		length  int
		wantErr bool
	}{
		{length: -1, wantErr: true},
		{length: 0, wantErr: true},
		{length: MinPasswordLength - 1, wantErr: true},
		{length: MinPasswordLength},
		{length: DefaultPasswordLength},
		{length: MaxPasswordLength},
		{length: MaxPasswordLength + 1, wantErr: true},
	} {
		password, err := GeneratePassword(tc.length)
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), "choose a length from 64 to 256") {
				t.Errorf("GeneratePassword(%d) error = %v, want one that names the range 64 to 256", tc.length, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("GeneratePassword(%d): %v", tc.length, err)
		}
		if len(password) != tc.length {
			t.Errorf("GeneratePassword(%d) returned %d characters", tc.length, len(password))
		}
		if err := CheckPasswordComplexity(password); err != nil {
			t.Errorf("GeneratePassword(%d) fails the policy: %v", tc.length, err)
		}
	}
}

// At the minimum length a class is missing from a draw without the guarantee often enough to show here
// (about 1 in 1,300 passwords would lack a digit), so many samples exercise the guarantee.
func TestGeneratePassword_everyClassAndOnlyAllowedCharacters(t *testing.T) {
	t.Parallel()
	for range 5000 {
		password, err := GeneratePassword(MinPasswordLength)
		if err != nil {
			t.Fatal(err)
		}
		present := make([]bool, len(passwordClasses))
		for i, r := range password {
			class := passwordClassOf(r)
			if class < 0 {
				t.Fatalf("character at position %d is not in the alphabet", i+1)
			}
			present[class] = true
		}
		for i, ok := range present {
			if !ok {
				t.Fatalf("a password has no %s", passwordClasses[i].name)
			}
		}
	}
}

func TestGeneratePassword_randomSourceFailure(t *testing.T) {
	t.Parallel()
	broken := errors.New("entropy source unavailable")
	_, err := generatePassword(DefaultPasswordLength, func(int) (int, error) { return 0, broken })
	if !errors.Is(err, broken) {
		t.Fatalf("error = %v, want it to wrap %v", err, broken)
	}
}

// Critical values of the chi-square distribution at p = 0.001, so a correct generator fails about once in a
// thousand runs; computed from the regularized incomplete gamma function.
const (
	chiSquareCritical3DF  = 16.266
	chiSquareCritical93DF = 140.893
)

const (
	uniformitySamples = 2000
	uniformityLength  = DefaultPasswordLength
)

func TestGeneratePassword_uniform(t *testing.T) {
	t.Parallel()
	t.Run("crypto/rand", func(t *testing.T) {
		t.Parallel()
		statistic, df := uniformityChiSquare(t, samplePasswords(t, uniformIndex))
		if df != 93 {
			t.Fatalf("degrees of freedom = %d, want 93", df)
		}
		if statistic > chiSquareCritical93DF {
			t.Errorf("chi-square = %.1f > %.1f: characters are not uniform (p < 0.001)", statistic, chiSquareCritical93DF)
		}
	})
	// The same statistic must reject the classic mistake, a random byte modulo the alphabet size; otherwise
	// the test above proves nothing.
	t.Run("byte modulo n is rejected", func(t *testing.T) {
		t.Parallel()
		statistic, _ := uniformityChiSquare(t, samplePasswords(t, byteModuloIndex))
		if statistic <= chiSquareCritical93DF {
			t.Errorf("chi-square = %.1f <= %.1f: the test failed to detect modulo bias", statistic, chiSquareCritical93DF)
		}
	})
}

// The guaranteed characters are placed first and then shuffled; the class at the first position must follow
// the overall class frequencies, not always be a lowercase letter.
func TestGeneratePassword_shuffled(t *testing.T) {
	t.Parallel()
	passwords := samplePasswords(t, uniformIndex)
	observed := make([]float64, len(passwordClasses))
	for _, password := range passwords {
		observed[passwordClassOf(rune(password[0]))]++
	}
	var statistic float64
	for i, class := range passwordClasses {
		// A position holds the guaranteed character of a class with probability 1/L and a free pick otherwise.
		p := (1 + float64(uniformityLength-len(passwordClasses))*classShare(class.characters)) / uniformityLength
		statistic += chiSquareTerm(observed[i], p*float64(len(passwords)))
	}
	if statistic > chiSquareCritical3DF {
		t.Errorf("chi-square = %.1f > %.1f: the first character's class is not distributed as expected", statistic, chiSquareCritical3DF)
	}
}

func samplePasswords(t *testing.T, randomIndex func(n int) (int, error)) []string {
	t.Helper()
	passwords := make([]string, uniformitySamples)
	for i := range passwords {
		password, err := generatePassword(uniformityLength, randomIndex)
		if err != nil {
			t.Fatal(err)
		}
		passwords[i] = password
	}
	return passwords
}

// byteModuloIndex is the biased index a careless generator uses: 256 is not a multiple of most n, so the
// low values come up more often.
func byteModuloIndex(n int) (int, error) {
	var b [1]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, err
	}
	return int(b[0]) % n, nil
}

// uniformityChiSquare is Pearson's statistic for passwords from generatePassword. Raw character frequencies are
// not uniform by design, since every password gets one character of each class, so it adds up two parts that
// are: how each character's count compares with the others in its class (the guaranteed character and the free
// picks are both uniform within a class), and how each class's count beyond its guaranteed character compares
// with the class's share of the alphabet.
func uniformityChiSquare(t *testing.T, passwords []string) (statistic float64, degreesOfFreedom int) {
	t.Helper()
	counts := map[byte]float64{}
	for _, password := range passwords {
		for i := range len(password) {
			counts[password[i]]++
		}
	}
	freePicks := float64(len(passwords) * (uniformityLength - len(passwordClasses)))
	for _, class := range passwordClasses {
		var classTotal float64
		for i := range len(class.characters) {
			classTotal += counts[class.characters[i]]
		}
		expected := classTotal / float64(len(class.characters))
		for i := range len(class.characters) {
			statistic += chiSquareTerm(counts[class.characters[i]], expected)
		}
		degreesOfFreedom += len(class.characters) - 1

		statistic += chiSquareTerm(classTotal-float64(len(passwords)), freePicks*classShare(class.characters))
	}
	return statistic, degreesOfFreedom + len(passwordClasses) - 1
}

func classShare(characters string) float64 {
	return float64(len(characters)) / float64(len(passwordAlphabet))
}

func chiSquareTerm(observed, expected float64) float64 {
	return (observed - expected) * (observed - expected) / expected
}

func TestPasswordComplexity(t *testing.T) {
	t.Parallel()
	repeat := func(s string, n int) string { return strings.Repeat(s, n)[:n] }
	for name, tc := range map[string]struct {
		password string
		want     []string // substrings of the error; none means valid
		notWant  []string
	}{
		"generated":                   {password: mustGenerate(t, DefaultPasswordLength)},
		"three classes, no symbols":   {password: repeat("aB3", 64)},
		"three classes, no digits":    {password: repeat("aB!", 64)},
		"space is allowed":            {password: repeat("aB3 ", 100)},
		"maximum length":              {password: repeat("aB3!", MaxPasswordLength)},
		"too short":                   {password: repeat("aB3!", 63), want: []string{"63 characters long", "use 64 to 256"}},
		"too long":                    {password: repeat("aB3!", 257), want: []string{"257 characters long", "use 64 to 256"}},
		"empty":                       {password: "", want: []string{"0 characters long", "only 0 of the four"}},
		"two classes":                 {password: repeat("ab12", 64), want: []string{"only 2 of the four", "add uppercase letters or symbols"}},
		"one class":                   {password: repeat("a", 64), want: []string{"only 1 of the four", "add uppercase letters or digits or symbols"}},
		"spaces do not count":         {password: repeat("ab ", 64), want: []string{"only 1 of the four"}},
		"accented letter":             {password: "é" + repeat("aB3!", 63), want: []string{"at position 1:", "ASCII letters"}},
		"tab and typographic quote":   {password: repeat("aB3!", 64) + "\t’", want: []string{"positions 65, 66:"}},
		"many bad characters trimmed": {password: repeat("aB3!", 64) + "ééééééé", want: []string{"positions 65, 66, 67, 68, 69, …:"}},
		"length counts characters":    {password: repeat("aB3!", 60) + "éééé", want: []string{"positions 61, 62, 63, 64:"}, notWant: []string{"characters long"}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := CheckPasswordComplexity(tc.password)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.want)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			for _, notWant := range tc.notWant {
				if strings.Contains(err.Error(), notWant) {
					t.Errorf("error %q contains %q", err, notWant)
				}
			}
			if tc.password != "" && strings.Contains(err.Error(), tc.password) {
				t.Error("the error quotes the password")
			}
		})
	}
}

func mustGenerate(t *testing.T, length int) string {
	t.Helper()
	password, err := GeneratePassword(length)
	if err != nil {
		t.Fatal(err)
	}
	return password
}
