package provider

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// kind is the shape of one property value, as the provider schema types it.
type kind int

const (
	kindString kind = iota
	kindBool
	kindInt
	kindStringList
	kindStringMap
	kindObjectList
)

// field describes one property this stand-in supports.
type field struct {
	kind     kind
	elem     object // element shape of kindObjectList
	required bool   // Check fails when it is missing
	replace  bool   // a change forces a new resource
	computed bool   // set by Consul; refused as an input
}

// object is a set of supported properties by name.
type object map[string]field

// unsupported names schema properties this stand-in refuses, with the reason shown to the user.
type unsupported map[string]string

// resourceSpec is everything Check and Diff need to know about one resource type.
type resourceSpec struct {
	props    object
	refused  unsupported
	autoname string // the property filled from the resource name when unset (empty: none)
}

const notSupported = "is in the pulumi-consul schema but not supported by the offline consul stand-in"

var intentionSource = object{
	"action":        {kind: kindString},
	"description":   {kind: kindString},
	"name":          {kind: kindString, required: true},
	"namespace":     {kind: kindString},
	"partition":     {kind: kindString},
	"peer":          {kind: kindString},
	"precedence":    {kind: kindInt, computed: true},
	"samenessGroup": {kind: kindString},
	"type":          {kind: kindString},
}

var specs = map[string]resourceSpec{
	intentionsType: {
		props: object{
			"meta":      {kind: kindStringMap},
			"name":      {kind: kindString, replace: true},
			"namespace": {kind: kindString, replace: true},
			"partition": {kind: kindString, replace: true},
			"sources":   {kind: kindObjectList, elem: intentionSource},
		},
		refused:  unsupported{"jwts": notSupported, "sources[].permissions": notSupported},
		autoname: "name",
	},
	aclPolicyType: {
		props: object{
			"datacenters": {kind: kindStringList},
			"description": {kind: kindString},
			"name":        {kind: kindString},
			"namespace":   {kind: kindString, replace: true},
			"partition":   {kind: kindString, replace: true},
			"rules":       {kind: kindString, required: true},
		},
		autoname: "name",
	},
	aclTokenType: {
		props: object{
			"accessorId":  {kind: kindString, replace: true},
			"description": {kind: kindString},
			"local":       {kind: kindBool, replace: true},
			"namespace":   {kind: kindString, replace: true},
			"nodeIdentities": {kind: kindObjectList, elem: object{
				"datacenter": {kind: kindString, required: true},
				"nodeName":   {kind: kindString, required: true},
			}},
			"partition": {kind: kindString, replace: true},
			"policies":  {kind: kindStringList},
			"roles":     {kind: kindStringList},
			"serviceIdentities": {kind: kindObjectList, elem: object{
				"datacenters": {kind: kindStringList},
				"serviceName": {kind: kindString, required: true},
			}},
		},
		refused: unsupported{"expirationTime": notSupported, "templatedPolicies": notSupported},
	},
}

// checkObject validates props against spec and returns one message per problem; unknown values pass.
func checkObject(path string, props resource.PropertyMap, spec object, refused unsupported) []string {
	var problems []string
	for _, key := range sortedKeys(props) {
		value := props[key]
		name := string(key)
		at := join(path, name)
		if reason, ok := refused[refusedKey(path, name)]; ok {
			problems = append(problems, fmt.Sprintf("%s %s", at, reason))
			continue
		}
		f, ok := spec[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s is not a property of this resource in pulumi-consul 3.15.1", at))
			continue
		}
		if f.computed && !value.IsNull() {
			problems = append(problems, fmt.Sprintf("%s is computed by Consul and cannot be set", at))
			continue
		}
		problems = append(problems, checkValue(at, value, f, refused)...)
	}
	for _, name := range sortedFieldNames(spec) {
		if value, ok := props[resource.PropertyKey(name)]; spec[name].required && (!ok || value.IsNull()) {
			problems = append(problems, fmt.Sprintf("%s is required", join(path, name)))
		}
	}
	return problems
}

func checkValue(at string, value resource.PropertyValue, f field, refused unsupported) []string {
	value = unwrapSecret(value)
	if !known(value) || value.IsNull() {
		return nil
	}
	wrong := func(want string) []string { return []string{fmt.Sprintf("%s must be %s", at, want)} }
	switch f.kind {
	case kindString:
		if !value.IsString() {
			return wrong("a string")
		}
	case kindBool:
		if !value.IsBool() {
			return wrong("a boolean")
		}
	case kindInt:
		if !value.IsNumber() || value.NumberValue() != math.Trunc(value.NumberValue()) {
			return wrong("an integer")
		}
	case kindStringList, kindObjectList:
		if !value.IsArray() {
			return wrong("a list")
		}
		var problems []string
		for i, elem := range value.ArrayValue() {
			elemAt := fmt.Sprintf("%s[%d]", at, i)
			if f.kind == kindStringList {
				problems = append(problems, checkValue(elemAt, elem, field{kind: kindString}, refused)...)
				continue
			}
			elem = unwrapSecret(elem)
			if !known(elem) {
				continue
			}
			if !elem.IsObject() {
				problems = append(problems, elemAt+" must be an object")
				continue
			}
			problems = append(problems, checkObject(elemAt, elem.ObjectValue(), f.elem, refused)...)
		}
		return problems
	case kindStringMap:
		if !value.IsObject() {
			return wrong("a map of strings")
		}
		var problems []string
		for k, v := range value.ObjectValue() {
			problems = append(problems, checkValue(at+"."+string(k), v, field{kind: kindString}, refused)...)
		}
		return problems
	}
	return nil
}

// refusedKey turns "sources[2]" + "permissions" into "sources[].permissions" for the refused table.
func refusedKey(path, name string) string {
	if path == "" {
		return name
	}
	if i := strings.Index(path, "["); i >= 0 {
		path = path[:i] + "[]"
	}
	return path + "." + name
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func known(v resource.PropertyValue) bool {
	if v.IsComputed() {
		return false
	}
	if v.IsOutput() {
		return v.OutputValue().Known
	}
	return true
}

func unwrapSecret(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput() && v.OutputValue().Known:
			v = v.OutputValue().Element
		default:
			return v
		}
	}
}

func sortedKeys(props resource.PropertyMap) []resource.PropertyKey {
	keys := make([]resource.PropertyKey, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sortedFieldNames(spec object) []string {
	names := make([]string, 0, len(spec))
	for name := range spec {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
