package spec

import (
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

// Diff compares old and new inputs the way the real provider does: a change to triggers replaces, every change
// to a CopyToRemote replaces (it has no update), other Command changes update. Only input properties are
// compared, so outputs such as stdout never cause a diff. An unknown new value counts as a change.
func Diff(t tokens.Type, olds, news resource.PropertyMap, ignore []string) plugin.DiffResult {
	fields := inputs[t]
	detailed := map[string]plugin.PropertyDiff{}
	var changed, replaced []resource.PropertyKey
	for _, k := range sortedKeys(fields) {
		if slices.Contains(ignore, k) {
			continue
		}
		key := resource.PropertyKey(k)
		o, n := olds[key], news[key]
		if !n.ContainsUnknowns() && equal(o, n) {
			continue
		}
		replace := k == "triggers" || t == CopyToRemote
		kind := plugin.DiffUpdate
		switch {
		case !o.HasValue():
			kind = plugin.DiffAdd
		case !n.HasValue():
			kind = plugin.DiffDelete
		}
		if replace {
			kind = kind.AsReplace()
			replaced = append(replaced, key)
		}
		changed = append(changed, key)
		detailed[k] = plugin.PropertyDiff{Kind: kind, InputDiff: true}
	}
	if len(changed) == 0 {
		return plugin.DiffResult{Changes: plugin.DiffNone}
	}
	return plugin.DiffResult{
		Changes:      plugin.DiffSome,
		ChangedKeys:  changed,
		ReplaceKeys:  replaced,
		DetailedDiff: detailed,
	}
}

// equal compares two values ignoring secret wrapping: marking a value secret is not a change of the command.
func equal(a, b resource.PropertyValue) bool {
	if !a.HasValue() || !b.HasValue() {
		return a.HasValue() == b.HasValue()
	}
	return Plain(a).DeepEquals(Plain(b))
}

// Plain returns v with every secret wrapper removed.
func Plain(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsSecret():
		return Plain(v.SecretValue().Element)
	case v.IsArray():
		arr := make([]resource.PropertyValue, len(v.ArrayValue()))
		for i, e := range v.ArrayValue() {
			arr[i] = Plain(e)
		}
		return resource.NewArrayProperty(arr)
	case v.IsObject():
		obj := resource.PropertyMap{}
		for k, e := range v.ObjectValue() {
			obj[k] = Plain(e)
		}
		return resource.NewObjectProperty(obj)
	}
	return v
}
