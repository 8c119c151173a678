package tenantsim

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
)

// ARM request body validation against swagger definitions reduced to armSchema, with the error messages ARM
// gives for unknown members, missing required members, wrong JSON kinds and values outside a closed enum.

type armSchemaKind int

const (
	schemaObject armSchemaKind = iota
	schemaArray
	schemaString
	schemaBool
	schemaInt
	schemaNumber
	schemaDuration
	schemaStringMap
	schemaObjectMap // an object whose member values all follow items
	schemaNullOnly  // a member that may only be null
	schemaAny
)

// armSchema is a swagger definition reduced to what request validation needs: the JSON kind, an object's members
// (unknown members are errors), its required members, array items and closed enums.
type armSchema struct {
	kind     armSchemaKind
	name     string // the model's type name in error messages
	props    map[string]*armSchema
	required []string
	items    *armSchema
	enum     []string // closed enum
}

var (
	sString    = &armSchema{kind: schemaString}
	sBool      = &armSchema{kind: schemaBool}
	sInt       = &armSchema{kind: schemaInt}
	sNumber    = &armSchema{kind: schemaNumber}
	sDuration  = &armSchema{kind: schemaDuration}
	sStringMap = &armSchema{kind: schemaStringMap}
	sAny       = &armSchema{kind: schemaAny}
)

func sObject(name string, props map[string]*armSchema, required ...string) *armSchema {
	return &armSchema{kind: schemaObject, name: name, props: props, required: required}
}

func sArray(items *armSchema) *armSchema { return &armSchema{kind: schemaArray, items: items} }

func sEnum(name string, values ...string) *armSchema {
	return &armSchema{kind: schemaString, name: name, enum: values}
}

// with returns a copy of an object schema with members added (nil removes one) and required members replaced
// when required is not nil.
func (s *armSchema) with(props map[string]*armSchema, required []string) *armSchema {
	out := *s
	out.props = map[string]*armSchema{}
	for k, v := range s.props {
		out.props[k] = v
	}
	for k, v := range props {
		if v == nil {
			delete(out.props, k)
		} else {
			out.props[k] = v
		}
	}
	if required != nil {
		out.required = required
	}
	return &out
}

// validate checks a decoded body against the schema and returns the first problem, worded like Newtonsoft.Json,
// or "".
func (s *armSchema) validate(v any, path string) string {
	if v == nil {
		switch s.kind {
		case schemaBool, schemaInt, schemaNumber:
			return fmt.Sprintf("Error converting value {null} to type '%s'. Path '%s'", s.clrType(), path)
		}
		return ""
	}
	switch s.kind {
	case schemaAny:
		return ""
	case schemaObject:
		return s.validateObject(v, path)
	case schemaStringMap:
		return s.validateStringMap(v, path)
	case schemaObjectMap:
		return s.validateObjectMap(v, path)
	case schemaArray:
		return s.validateArray(v, path)
	case schemaString, schemaDuration:
		return s.validateString(v, path)
	case schemaBool:
		if _, ok := v.(bool); !ok {
			return fmt.Sprintf("Error converting value %s to type 'System.Boolean'. Path '%s'", armJSONLiteral(v), path)
		}
	case schemaInt, schemaNumber:
		return s.validateNumber(v, path)
	}
	return ""
}

// validateObject checks members in name order (unknown members first), then the required ones.
func (s *armSchema) validateObject(v any, path string) string {
	obj, ok := v.(map[string]any)
	if !ok {
		return armNotAnObject(v, s.name, path)
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		member, known := s.props[k]
		if !known || (member.kind == schemaNullOnly && obj[k] != nil) {
			return fmt.Sprintf("Could not find member '%s' on object of type '%s'. Path '%s'", k, s.name, armJoinPath(path, k))
		}
		if msg := member.validate(obj[k], armJoinPath(path, k)); msg != "" {
			return msg
		}
	}
	for _, k := range s.required {
		val, present := obj[k]
		if !present {
			return fmt.Sprintf("Required property '%s' not found in JSON. Path '%s'", k, path)
		}
		if val == nil {
			return fmt.Sprintf("Required property '%s' expects a value but got null. Path '%s'", k, armJoinPath(path, k))
		}
	}
	return ""
}

// validateStringMap checks a dictionary of strings (tags).
func (s *armSchema) validateStringMap(v any, path string) string {
	obj, ok := v.(map[string]any)
	if !ok {
		return armNotAnObject(v, "System.Collections.Generic.Dictionary`2[System.String,System.String]", path)
	}
	for k, val := range obj {
		if _, ok := val.(string); !ok && val != nil {
			return fmt.Sprintf("Error converting value %s to type 'System.String'. Path '%s'", armJSONLiteral(val), armJoinPath(path, k))
		}
	}
	return ""
}

// validateObjectMap checks a dictionary whose values follow items.
func (s *armSchema) validateObjectMap(v any, path string) string {
	obj, ok := v.(map[string]any)
	if !ok {
		return armNotAnObject(v, "System.Collections.Generic.Dictionary`2[System.String,"+s.items.name+"]", path)
	}
	for k, val := range obj {
		if msg := s.items.validate(val, armJoinPath(path, k)); msg != "" {
			return msg
		}
	}
	return ""
}

func (s *armSchema) validateArray(v any, path string) string {
	list, ok := v.([]any)
	if !ok {
		return fmt.Sprintf("Cannot deserialize the current JSON value into type 'System.Collections.Generic.List`1[%s]' because the type requires a JSON array (e.g. [1,2,3]) to deserialize correctly. Path '%s'",
			s.items.clrType(), path)
	}
	for i, item := range list {
		if msg := s.items.validate(item, fmt.Sprintf("%s[%d]", path, i)); msg != "" {
			return msg
		}
	}
	return ""
}

// validateString checks a string, an ISO 8601 duration (schemaDuration) and a closed enum.
func (s *armSchema) validateString(v any, path string) string {
	str, ok := v.(string)
	if !ok {
		return fmt.Sprintf("Error converting value %s to type '%s'. Path '%s'", armJSONLiteral(v), s.clrType(), path)
	}
	if s.kind == schemaDuration {
		if _, err := parseISODuration(str); err != nil {
			return fmt.Sprintf("Error converting value %s to type 'System.TimeSpan'. Path '%s'", armJSONLiteral(v), path)
		}
	}
	if len(s.enum) > 0 && !slices.Contains(s.enum, str) {
		return fmt.Sprintf("Error converting value %s to type '%s'. Path '%s'", armJSONLiteral(v), s.name, path)
	}
	return ""
}

// validateNumber checks a JSON number, and that a schemaInt holds a 64-bit integer.
func (s *armSchema) validateNumber(v any, path string) string {
	n, ok := v.(json.Number)
	if !ok {
		if f, isFloat := v.(float64); isFloat {
			n, ok = json.Number(strconv.FormatFloat(f, 'g', -1, 64)), true
		}
	}
	if !ok {
		return fmt.Sprintf("Error converting value %s to type '%s'. Path '%s'", armJSONLiteral(v), s.clrType(), path)
	}
	if s.kind == schemaInt {
		if _, err := strconv.ParseInt(n.String(), 10, 64); err != nil {
			return fmt.Sprintf("Input string '%s' is not a valid integer. Path '%s'", n.String(), path)
		}
	}
	return ""
}

func (s *armSchema) clrType() string {
	switch s.kind {
	case schemaBool:
		return "System.Boolean"
	case schemaInt:
		return "System.Int64"
	case schemaNumber:
		return "System.Double"
	case schemaDuration:
		return "System.TimeSpan"
	case schemaString:
		if s.name != "" {
			return s.name
		}
		return "System.String"
	}
	return s.name
}

func armNotAnObject(v any, typeName, path string) string {
	if _, isArray := v.([]any); isArray {
		return fmt.Sprintf("Cannot deserialize the current JSON array (e.g. [1,2,3]) into type '%s' because the type requires a JSON object (e.g. {\"name\":\"value\"}) to deserialize correctly. Path '%s'", typeName, path)
	}
	return fmt.Sprintf("Error converting value %s to type '%s'. Path '%s'", armJSONLiteral(v), typeName, path)
}

func armJoinPath(path, member string) string {
	if path == "" {
		return member
	}
	return path + "." + member
}

func armJSONLiteral(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}
