package fidelity

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// decodeJSON keeps numbers as json.Number: the checks tell an integer literal from a fractional one.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

// isInteger is true for a number written without fraction or exponent, as Python's json reads an int.
func isInteger(v any) bool {
	n, ok := v.(json.Number)
	return ok && !strings.ContainsAny(string(n), ".eE")
}

func isNumber(v any) bool {
	_, ok := v.(json.Number)
	return ok
}

func number(v any) float64 {
	n, _ := v.(json.Number)
	f, err := n.Float64()
	if err != nil {
		return math.NaN()
	}
	return f
}

// repr prints a JSON value for a message: strings quoted, the rest as JSON.
func repr(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}
