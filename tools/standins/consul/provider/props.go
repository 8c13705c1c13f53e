package provider

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// operations is what one resource type does against Consul; maps hold plain, secret-free values.
type operations interface {
	create(c *consulClient, inputs map[string]any) (string, resource.PropertyMap, error)
	// read returns nil outputs when the object no longer exists.
	read(c *consulClient, id string, state, inputs map[string]any) (resource.PropertyMap, error)
	update(c *consulClient, id string, inputs map[string]any) (resource.PropertyMap, error)
	remove(c *consulClient, id string, state map[string]any) error
	// preview is the planned output: inputs plus computed values (unknown, or kept from old outputs).
	preview(inputs, oldOutputs resource.PropertyMap) resource.PropertyMap
}

func operationsFor(token string) (operations, error) {
	switch token {
	case intentionsType:
		return intentions{}, nil
	case aclPolicyType:
		return aclPolicy{}, nil
	case aclTokenType:
		return aclToken{}, nil
	}
	return nil, unsupportedType(token)
}

// plainMap strips secret markings and unknowns so that values can be read as ordinary Go values.
func plainMap(props resource.PropertyMap) map[string]any {
	out := make(map[string]any, len(props))
	for k, v := range props {
		if p := plainValue(v); p != nil {
			out[string(k)] = p
		}
	}
	return out
}

func plainValue(v resource.PropertyValue) any {
	v = unwrapSecret(v)
	switch {
	case v.IsNull() || !known(v):
		return nil
	case v.IsString():
		return v.StringValue()
	case v.IsBool():
		return v.BoolValue()
	case v.IsNumber():
		return v.NumberValue()
	case v.IsArray():
		list := make([]any, 0, len(v.ArrayValue()))
		for _, elem := range v.ArrayValue() {
			list = append(list, plainValue(elem))
		}
		return list
	case v.IsObject():
		return plainMap(v.ObjectValue())
	}
	panic(fmt.Sprintf("unexpected property value %v", v))
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

func boolean(m map[string]any, key string) bool {
	b, _ := m[key].(bool)
	return b
}

func strList(m map[string]any, key string) []string {
	list, _ := m[key].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func objList(m map[string]any, key string) []map[string]any {
	list, _ := m[key].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, v := range list {
		if o, ok := v.(map[string]any); ok {
			out = append(out, o)
		}
	}
	return out
}

func strMap(m map[string]any, key string) map[string]string {
	in, _ := m[key].(map[string]any)
	if len(in) == 0 {
		return nil
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k], _ = v.(string)
	}
	return out
}

// outputs builds a property map, leaving out empty values as the real provider's state does.
type outputs resource.PropertyMap

func (o outputs) str(key, value string) {
	if value != "" {
		o[resource.PropertyKey(key)] = resource.NewProperty(value)
	}
}

func (o outputs) strList(key string, values []string) {
	if len(values) == 0 {
		return
	}
	list := make([]resource.PropertyValue, len(values))
	for i, v := range values {
		list[i] = resource.NewProperty(v)
	}
	o[resource.PropertyKey(key)] = resource.NewProperty(list)
}

func (o outputs) objList(key string, values []outputs) {
	if len(values) == 0 {
		return
	}
	list := make([]resource.PropertyValue, len(values))
	for i, v := range values {
		list[i] = resource.NewProperty(resource.PropertyMap(v))
	}
	o[resource.PropertyKey(key)] = resource.NewProperty(list)
}

func (o outputs) strMap(key string, values map[string]string) {
	if len(values) == 0 {
		return
	}
	m := resource.PropertyMap{}
	for k, v := range values {
		m[resource.PropertyKey(k)] = resource.NewProperty(v)
	}
	o[resource.PropertyKey(key)] = resource.NewProperty(m)
}

// projectInputs gives refreshed inputs the shape of the program's inputs: only the properties the program
// set, with their live values, so that drift shows up in the next diff and computed values do not.
func projectInputs(live, shape resource.PropertyMap) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, old := range shape {
		value, ok := live[k]
		if !ok {
			continue
		}
		projected := projectValue(value, unwrapSecret(old))
		if old.IsSecret() {
			projected = resource.MakeSecret(projected)
		}
		out[k] = projected
	}
	return out
}

func projectValue(live, shape resource.PropertyValue) resource.PropertyValue {
	switch {
	case live.IsObject() && shape.IsObject():
		return resource.NewProperty(projectInputs(live.ObjectValue(), shape.ObjectValue()))
	case live.IsArray() && shape.IsArray():
		shapes := shape.ArrayValue()
		list := make([]resource.PropertyValue, len(live.ArrayValue()))
		for i, elem := range live.ArrayValue() {
			if i < len(shapes) {
				list[i] = projectValue(elem, unwrapSecret(shapes[i]))
			} else {
				list[i] = elem
			}
		}
		return resource.NewProperty(list)
	}
	return live
}
