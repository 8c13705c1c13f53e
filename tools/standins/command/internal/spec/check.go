package spec

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// Check validates new inputs against the schema and returns them with nulls dropped and schema defaults applied.
// Unknown values (preview) pass unchecked. An unsupported type is an error, not a failure: nothing can be done
// with it.
func Check(t tokens.Type, news resource.PropertyMap) (resource.PropertyMap, []plugin.CheckFailure, error) {
	fields, ok := inputs[t]
	if !ok {
		return nil, nil, fmt.Errorf("resource type %q is not supported by the offline pulumi-command stand-in "+
			"(supported: %s, %s, %s)", t, LocalCommand, RemoteCommand, CopyToRemote)
	}
	out, failures := checkObject("", fields, news)
	if t == CopyToRemote {
		failures = append(failures, checkSource(out["source"])...)
	}
	return out, failures, nil
}

// checkObject checks the keys of one object against its fields and returns a copy with defaults applied.
func checkObject(prefix string, fields map[string]field, obj resource.PropertyMap) (resource.PropertyMap, []plugin.CheckFailure) {
	var failures []plugin.CheckFailure
	fail := func(key, format string, args ...any) {
		failures = append(failures, plugin.CheckFailure{
			Property: resource.PropertyKey(prefix + key),
			Reason:   fmt.Sprintf(format, args...),
		})
	}
	out := resource.PropertyMap{}
	for _, k := range obj.StableKeys() {
		v := obj[k]
		if v.IsNull() {
			continue
		}
		f, ok := fields[string(k)]
		if !ok {
			fail(string(k), "unknown property %q: not an input of this type in the pulumi-command 1.2.1 schema (known: %s)",
				prefix+string(k), strings.Join(sortedKeys(fields), ", "))
			continue
		}
		if f.refuse != "" && !isEmpty(v) {
			fail(string(k), "property %q is not supported: %s", prefix+string(k), f.refuse)
			continue
		}
		nv, fs := checkValue(prefix+string(k), f.kind, v)
		failures = append(failures, fs...)
		out[k] = nv
	}
	for _, k := range sortedKeys(fields) {
		if fields[k].required && !out[resource.PropertyKey(k)].HasValue() {
			fail(k, "missing required property %q", prefix+k)
		}
	}
	return out, failures
}

// checkValue checks one value's shape. Secrets keep their wrapping; nested objects get their defaults.
func checkValue(path string, k kind, v resource.PropertyValue) (resource.PropertyValue, []plugin.CheckFailure) {
	if v.IsComputed() || v.IsOutput() {
		return v, nil
	}
	if v.IsSecret() {
		inner, fs := checkValue(path, k, v.SecretValue().Element)
		return resource.MakeSecret(inner), fs
	}
	bad := func(want string) []plugin.CheckFailure {
		return []plugin.CheckFailure{{
			Property: resource.PropertyKey(path),
			Reason:   fmt.Sprintf("property %q must be %s, got %s", path, want, v.TypeString()),
		}}
	}
	switch k {
	case kString:
		if !v.IsString() {
			return v, bad("a string")
		}
	case kBool:
		if !v.IsBool() {
			return v, bad("a boolean")
		}
	case kNumber:
		if !v.IsNumber() {
			return v, bad("a number")
		}
	case kInteger:
		if !v.IsNumber() || v.NumberValue() != math.Trunc(v.NumberValue()) {
			return v, bad("an integer")
		}
	case kLogging:
		if !v.IsString() {
			return v, bad("a string")
		}
		if s := v.StringValue(); !slices.Contains([]string{LogStdout, LogStderr, LogStdoutAndStderr, LogNone}, s) {
			return v, []plugin.CheckFailure{{
				Property: resource.PropertyKey(path),
				Reason: fmt.Sprintf("property %q must be one of stdout, stderr, stdoutAndStderr, none; got %q",
					path, s),
			}}
		}
	case kAnyArray:
		if !v.IsArray() {
			return v, bad("an array")
		}
	case kStringArray:
		if !v.IsArray() {
			return v, bad("an array of strings")
		}
		var fs []plugin.CheckFailure
		for i, e := range v.ArrayValue() {
			_, f := checkValue(fmt.Sprintf("%s[%d]", path, i), kString, e)
			fs = append(fs, f...)
		}
		return v, fs
	case kStringMap:
		if !v.IsObject() {
			return v, bad("a map of strings")
		}
		var fs []plugin.CheckFailure
		for mk, e := range v.ObjectValue() {
			_, f := checkValue(path+"."+string(mk), kString, e)
			fs = append(fs, f...)
		}
		return v, fs
	case kConnection, kProxy:
		if !v.IsObject() {
			return v, bad("an object")
		}
		fields := connectionFields
		if k == kProxy {
			fields = proxyFields
		}
		obj, fs := checkObject(path+".", fields, v.ObjectValue())
		for dk, dv := range connectionDefaults {
			if !obj[resource.PropertyKey(dk)].HasValue() {
				obj[resource.PropertyKey(dk)] = resource.NewPropertyValue(dv)
			}
		}
		return resource.NewObjectProperty(obj), fs
	case kAssetOrArchive:
		if !v.IsAsset() && !v.IsArchive() {
			return v, bad("an asset or an archive")
		}
	}
	return v, nil
}

// checkSource refuses sources the stand-in cannot read (remote URIs) and makes sure a path source exists.
func checkSource(v resource.PropertyValue) []plugin.CheckFailure {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	fail := func(format string, args ...any) []plugin.CheckFailure {
		return []plugin.CheckFailure{{Property: "source", Reason: fmt.Sprintf(format, args...)}}
	}
	switch {
	case v.IsAsset():
		a := v.AssetValue()
		if a.IsURI() && !strings.HasPrefix(a.URI, "file://") {
			return fail("source asset URI %q is not supported by the offline stand-in (only file paths and text)", a.URI)
		}
		if err := a.EnsureHash(); err != nil {
			return fail("cannot read source asset: %v", err)
		}
	case v.IsArchive():
		a := v.ArchiveValue()
		if a.IsURI() && !strings.HasPrefix(a.URI, "file://") {
			return fail("source archive URI %q is not supported by the offline stand-in (only local paths and asset maps)", a.URI)
		}
		if err := a.EnsureHash(); err != nil {
			return fail("cannot read source archive: %v", err)
		}
	}
	return nil
}

// isEmpty treats an empty list or string like an absent value, so SDKs that send [] for unset lists pass.
func isEmpty(v resource.PropertyValue) bool {
	for v.IsSecret() {
		v = v.SecretValue().Element
	}
	switch {
	case v.IsArray():
		return len(v.ArrayValue()) == 0
	case v.IsString():
		return v.StringValue() == ""
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
