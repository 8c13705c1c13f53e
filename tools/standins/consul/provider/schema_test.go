package provider

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The stand-in must agree with the real provider's schema: every property it supports or refuses exists there
// with the same type, and it replaces exactly where the schema says the provider replaces.

type schemaProp struct {
	Type                 string      `json:"type"`
	Ref                  string      `json:"$ref"`
	Items                *schemaProp `json:"items"`
	WillReplaceOnChanges bool        `json:"willReplaceOnChanges"`
}

type schemaObject struct {
	Properties      map[string]schemaProp `json:"properties"`
	InputProperties map[string]schemaProp `json:"inputProperties"`
}

type schemaPackage struct {
	Config    struct{ Variables map[string]schemaProp } `json:"config"`
	Resources map[string]schemaObject                   `json:"resources"`
	Types     map[string]schemaObject                   `json:"types"`
	Functions map[string]struct {
		Inputs schemaObject `json:"inputs"`
	} `json:"functions"`
}

func loadSchema(t *testing.T) *schemaPackage {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		path := filepath.Join(dir, "shared", "schemas", "pulumi-consul-3.15.1.schema.json")
		if data, err := os.ReadFile(path); err == nil {
			var pkg schemaPackage
			require.NoError(t, json.Unmarshal(data, &pkg))
			return &pkg
		}
		if filepath.Dir(dir) == dir {
			t.Skip("schema agreement not checked: no shared/schemas/pulumi-consul-3.15.1.schema.json above this folder")
		}
		dir = filepath.Dir(dir)
	}
}

var kindOfSchemaType = map[string]kind{"string": kindString, "boolean": kindBool, "integer": kindInt}

func checkAgainst(t *testing.T, pkg *schemaPackage, where string, spec object, props map[string]schemaProp) {
	t.Helper()
	for name, f := range spec {
		prop, ok := props[name]
		if !assert.True(t, ok, "%s.%s is not in the schema", where, name) {
			continue
		}
		assert.Equal(t, prop.WillReplaceOnChanges, f.replace, "%s.%s replace flag", where, name)
		switch {
		case prop.Type == "array" && prop.Items.Ref != "":
			if assert.Equal(t, kindObjectList, f.kind, "%s.%s", where, name) {
				ref := pkg.Types[strings.TrimPrefix(prop.Items.Ref, "#/types/")]
				checkAgainst(t, pkg, where+"."+name+"[]", f.elem, ref.Properties)
			}
		case prop.Type == "array":
			assert.Equal(t, kindStringList, f.kind, "%s.%s", where, name)
			assert.Equal(t, "string", prop.Items.Type, "%s.%s", where, name)
		case prop.Type == "object":
			assert.Equal(t, kindStringMap, f.kind, "%s.%s", where, name)
		default:
			assert.Equal(t, kindOfSchemaType[prop.Type], f.kind, "%s.%s (%s)", where, name, prop.Type)
		}
	}
}

func TestSpecsAgreeWithSchema(t *testing.T) {
	pkg := loadSchema(t)
	for token, spec := range specs {
		res, ok := pkg.Resources[token]
		require.True(t, ok, token)
		checkAgainst(t, pkg, token, spec.props, res.InputProperties)
		for refused := range spec.refused {
			top, nested, _ := strings.Cut(refused, "[].")
			prop, ok := res.InputProperties[top]
			require.True(t, ok, "refused %s is not in the schema", refused)
			if nested != "" {
				_, ok = pkg.Types[strings.TrimPrefix(prop.Items.Ref, "#/types/")].Properties[nested]
				assert.True(t, ok, "refused %s is not in the schema", refused)
			}
		}
		for name := range res.InputProperties {
			_, supported := spec.props[name]
			_, refused := spec.refused[name]
			assert.True(t, supported || refused, "%s.%s is neither supported nor refused", token, name)
		}
	}

	fn, ok := pkg.Functions[secretIDFunction]
	require.True(t, ok)
	checkAgainst(t, pkg, secretIDFunction, secretIDArgs, fn.Inputs.Properties)

	var schemaKeys []string
	for name := range pkg.Config.Variables {
		schemaKeys = append(schemaKeys, name)
	}
	ours := slices.Clone(schemaOnlyConfigKeys)
	for name := range configKeys {
		ours = append(ours, name)
	}
	assert.ElementsMatch(t, schemaKeys, ours, "provider settings are either supported or refused")
}
