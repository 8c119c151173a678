package acctest

import "testing"

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:        `"plain"`,
		`a${b}`:        `"a$${b}"`,
		`a%{b}`:        `"a%%{b}"`,
		`q"uote\slash`: `"q\"uote\\slash"`,
		`$ and % {`:    `"$ and % {"`,
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%s) = %s, want %s", in, got, want)
		}
	}
}
