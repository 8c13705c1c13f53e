package consul

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bound describes one schema token the binding covers and the Go types that carry it.
type bound struct {
	token   string
	args    reflect.Type // the Args struct of inputs (nil for plain invokes)
	plain   reflect.Type // the struct whose `pulumi` tags name the input properties
	outputs reflect.Type // the resource struct or the invoke result struct
}

func typeOf[T any]() reflect.Type { return reflect.TypeOf((*T)(nil)).Elem() }

// bindings lists every token of this package; a new resource must be added here to be checked.
var bindings = []bound{
	{ProviderType, typeOf[ProviderArgs](), typeOf[providerArgs](), typeOf[Provider]()},
	{ConfigEntryServiceIntentionsType, typeOf[ConfigEntryServiceIntentionsArgs](),
		typeOf[configEntryServiceIntentionsArgs](), typeOf[ConfigEntryServiceIntentions]()},
	{AclPolicyType, typeOf[AclPolicyArgs](), typeOf[aclPolicyArgs](), typeOf[AclPolicy]()},
	{AclTokenType, typeOf[AclTokenArgs](), typeOf[aclTokenArgs](), typeOf[AclToken]()},
	{GetAclTokenSecretIdToken, typeOf[GetAclTokenSecretIdOutputArgs](), typeOf[GetAclTokenSecretIdArgs](),
		typeOf[GetAclTokenSecretIdResult]()},
}

// schemaShape is what the schema says about one token: inputs, outputs and which of them are required.
type schemaShape struct {
	inputs, outputs                 map[string]schemaProp
	requiredInputs, requiredOutputs []string
}

func shapeOf(t *testing.T, pkg *schemaPackage, token string) schemaShape {
	t.Helper()
	if token == "pulumi:providers:"+pkg.Name {
		return schemaShape{pkg.Provider.InputProperties, pkg.Provider.Properties, pkg.Provider.RequiredInputs, nil}
	}
	if res, ok := pkg.Resources[token]; ok {
		return schemaShape{res.InputProperties, res.Properties, res.RequiredInputs, res.Required}
	}
	fn, ok := pkg.Functions[token]
	require.True(t, ok, "token %q is not in the schema", token)
	return schemaShape{fn.Inputs.Properties, fn.Outputs.Properties, fn.Inputs.Required, fn.Outputs.Required}
}

func TestBindingMatchesSchema(t *testing.T) {
	pkg := loadSchema(t)
	for _, b := range bindings {
		t.Run(b.token, func(t *testing.T) {
			shape := shapeOf(t, pkg, b.token)
			checkStruct(t, pkg, b.token+" inputs", b.plain, shape.inputs, shape.requiredInputs)
			checkArgsMirrorPlain(t, b.args, b.plain)
			checkOutputs(t, pkg, b.token, b.outputs, shape.outputs, shape.requiredOutputs)
		})
	}
}

// checkStruct checks a plain struct's tags and Go types against schema properties, and that every required
// property is there.
func checkStruct(t *testing.T, pkg *schemaPackage, where string, goType reflect.Type,
	props map[string]schemaProp, required []string,
) {
	t.Helper()
	require.Equal(t, reflect.Struct, goType.Kind(), where)
	seen := map[string]bool{}
	for field := range goType.Fields() {
		name := tagName(field)
		if name == "" {
			continue
		}
		seen[name] = true
		prop, ok := props[name]
		if !assert.True(t, ok, "%s: %s has tag %q, which the schema does not have", where, field.Name, name) {
			continue
		}
		checkType(t, pkg, where+"."+name, field.Type, prop, slices.Contains(required, name))
	}
	for _, name := range required {
		assert.True(t, seen[name], "%s: schema-required property %q is missing", where, name)
	}
}

// checkType checks one Go type against one schema property. Optional scalars and single objects are pointers,
// required ones are not; lists and maps never are.
func checkType(t *testing.T, pkg *schemaPackage, where string, goType reflect.Type, prop schemaProp, required bool) {
	t.Helper()
	scalar := map[string]reflect.Kind{
		"string": reflect.String, "boolean": reflect.Bool, "integer": reflect.Int, "number": reflect.Float64,
	}
	if kind, ok := scalar[prop.Type]; ok || prop.Ref != "" {
		if required {
			assert.NotEqual(t, "ptr", goType.Kind().String(), "%s is required: no pointer", where)
		} else if assert.Equal(t, "ptr", goType.Kind().String(), "%s is optional: must be a pointer", where) {
			goType = goType.Elem()
		}
		if prop.Ref != "" {
			ref := pkg.refType(t, prop.Ref)
			checkStruct(t, pkg, where, goType, ref.Properties, ref.Required)
			return
		}
		assert.Equal(t, kind.String(), goType.Kind().String(), "%s: schema type %s", where, prop.Type)
		return
	}
	switch prop.Type {
	case "array":
		if assert.Equal(t, "slice", goType.Kind().String(), "%s: schema type array", where) {
			checkType(t, pkg, where+"[]", goType.Elem(), *prop.Items, true)
		}
	case "object":
		if assert.Equal(t, "map", goType.Kind().String(), "%s: schema type object", where) {
			assert.Equal(t, "string", goType.Key().Kind().String(), where)
			checkType(t, pkg, where+"{}", goType.Elem(), *prop.AdditionalProperties, true)
		}
	default:
		t.Errorf("%s: schema type %q not handled by this check", where, prop.Type)
	}
}

// checkArgsMirrorPlain checks that each Args field has a same-named plain field and an input type that
// resolves to that field's type: the SDK matches the two by field name.
func checkArgsMirrorPlain(t *testing.T, args, plain reflect.Type) {
	t.Helper()
	for field := range args.Fields() {
		plainField, ok := plain.FieldByName(field.Name)
		if !assert.True(t, ok, "%s.%s has no counterpart in %s", args.Name(), field.Name, plain.Name()) {
			continue
		}
		assert.Equal(t, plainField.Type.String(), resolvedType(t, field.Type).String(), "%s.%s", args.Name(), field.Name)
	}
	for field := range plain.Fields() {
		_, ok := args.FieldByName(field.Name)
		assert.True(t, ok, "%s.%s has no input in %s", plain.Name(), field.Name, args.Name())
	}
}

// resolvedType is the plain type an Input interface or Output type resolves to.
func resolvedType(t *testing.T, goType reflect.Type) reflect.Type {
	t.Helper()
	if goType.Implements(typeOf[pulumi.Output]()) {
		return reflect.Zero(goType).Interface().(pulumi.Output).ElementType()
	}
	require.Equal(t, reflect.Interface, goType.Kind(), "%s is neither an Input nor an Output", goType)
	for method := range goType.Methods() {
		if strings.HasPrefix(method.Name, "To") && strings.HasSuffix(method.Name, "Output") &&
			method.Type.NumIn() == 0 && method.Type.NumOut() == 1 {
			return resolvedType(t, method.Type.Out(0))
		}
	}
	t.Fatalf("%s has no To...Output method", goType)
	return nil
}

// checkOutputs checks the resource's Output fields (or an invoke's result struct) against schema outputs.
func checkOutputs(t *testing.T, pkg *schemaPackage, token string, goType reflect.Type,
	props map[string]schemaProp, required []string,
) {
	t.Helper()
	where := token + " outputs"
	if !goType.Implements(typeOf[pulumi.Resource]()) && !reflect.PointerTo(goType).Implements(typeOf[pulumi.Resource]()) {
		checkStruct(t, pkg, where, goType, props, required)
		return
	}
	for field := range goType.Fields() {
		name := tagName(field)
		if name == "" {
			continue
		}
		prop, ok := props[name]
		if !assert.True(t, ok, "%s: %s has tag %q, which the schema does not have", where, field.Name, name) {
			continue
		}
		checkType(t, pkg, where+"."+name, resolvedType(t, field.Type), prop, slices.Contains(required, name))
	}
}

func tagName(field reflect.StructField) string {
	name, _, _ := strings.Cut(field.Tag.Get("pulumi"), ",")
	return name
}

// secretProperties lists the properties of a token the schema marks secret and this binding exposes.
func secretProperties(t *testing.T, pkg *schemaPackage, b bound) (inputs, outputs []string) {
	t.Helper()
	shape := shapeOf(t, pkg, b.token)
	for field := range b.plain.Fields() {
		if name := tagName(field); shape.inputs[name].Secret {
			inputs = append(inputs, name)
		}
	}
	outputType := b.outputs
	for field := range outputType.Fields() {
		if name := tagName(field); shape.outputs[name].Secret {
			outputs = append(outputs, name)
		}
	}
	return inputs, outputs
}

func TestSecretsFollowSchema(t *testing.T) {
	pkg := loadSchema(t)
	mocks := &recordingMocks{}
	require.NoError(t, pulumi.RunErr(registerAll, pulumi.WithMocks("ragmesh", "test", mocks)))

	for _, b := range bindings {
		secretIn, secretOut := secretProperties(t, pkg, b)
		if b.token == GetAclTokenSecretIdToken {
			assert.ElementsMatch(t, []string{"secretId", "encryptedSecretId"}, secretOut)
			continue // the invoke result is checked in TestGetAclTokenSecretIdIsSecret
		}
		reg := mocks.only(t, b.token)
		for _, name := range secretIn {
			value, ok := reg.inputs[propertyKey(name)]
			if assert.True(t, ok, "%s: registerAll must set secret input %q", b.token, name) {
				assert.True(t, value.IsSecret(), "%s: input %q must be sent as a secret", b.token, name)
			}
		}
		for _, name := range secretOut {
			assert.Contains(t, reg.rpc.GetAdditionalSecretOutputs(), name,
				"%s: output %q must be an additional secret output", b.token, name)
		}
	}
}
