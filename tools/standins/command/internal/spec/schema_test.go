package spec

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The stand-in must agree with the real provider's schema: the same input properties per resource (no more, no
// fewer), the same shapes, the same required inputs and connection defaults, the same Logging values. The
// schema is reference data beside the repository (shared/schemas), read here and never copied in.

const schemaFile = "pulumi-command-1.2.1.schema.json"

type schemaProp struct {
	Type                 string          `json:"type"`
	Ref                  string          `json:"$ref"`
	Items                *schemaProp     `json:"items"`
	AdditionalProperties *schemaProp     `json:"additionalProperties"`
	Default              json.RawMessage `json:"default"`
	ReplaceOnChanges     bool            `json:"replaceOnChanges"`
}

type schemaType struct {
	Properties map[string]schemaProp `json:"properties"`
	Required   []string              `json:"required"`
	Enum       []struct {
		Value string `json:"value"`
	} `json:"enum"`
}

type schemaPackage struct {
	Resources map[string]struct {
		InputProperties map[string]schemaProp `json:"inputProperties"`
		RequiredInputs  []string              `json:"requiredInputs"`
	} `json:"resources"`
	Types map[string]schemaType `json:"types"`
}

func loadSchema(t *testing.T) *schemaPackage {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if data, err := os.ReadFile(filepath.Join(dir, "shared", "schemas", schemaFile)); err == nil {
			var pkg schemaPackage
			require.NoError(t, json.Unmarshal(data, &pkg))
			return &pkg
		}
		if filepath.Dir(dir) == dir {
			t.Skipf("schema agreement not checked: no shared/schemas/%s above this folder", schemaFile)
		}
		dir = filepath.Dir(dir)
	}
}

// kindOf maps a schema property to the value shape the stand-in must check it as.
func kindOf(p schemaProp) (kind, bool) {
	switch {
	case p.Ref == "#/types/command:remote:Connection":
		return kConnection, true
	case p.Ref == "#/types/command:remote:ProxyConnection":
		return kProxy, true
	case p.Ref == "#/types/command:local:Logging", p.Ref == "#/types/command:remote:Logging":
		return kLogging, true
	case p.Ref == "pulumi.json#/Asset", p.Ref == "pulumi.json#/Archive":
		return kAssetOrArchive, true
	case p.Type == "string":
		return kString, true
	case p.Type == "boolean":
		return kBool, true
	case p.Type == "integer":
		return kInteger, true
	case p.Type == "number":
		return kNumber, true
	case p.Type == "array" && p.Items != nil && p.Items.Type == "string":
		return kStringArray, true
	case p.Type == "array" && p.Items != nil && p.Items.Ref == "pulumi.json#/Any":
		return kAnyArray, true
	case p.Type == "object" && p.AdditionalProperties != nil && p.AdditionalProperties.Type == "string":
		return kStringMap, true
	}
	return 0, false
}

// sameFields checks one object of the stand-in against the schema's: the property sets are equal, each
// property has the schema's shape, and exactly the schema's required properties are required.
func sameFields(t *testing.T, where string, ours map[string]field, theirs map[string]schemaProp, required []string) {
	t.Helper()
	for name := range theirs {
		_, ok := ours[name]
		assert.True(t, ok, "%s.%s is in the schema but neither supported nor refused by the stand-in", where, name)
	}
	for name, f := range ours {
		p, ok := theirs[name]
		if !assert.True(t, ok, "%s.%s is not in the schema", where, name) {
			continue
		}
		k, known := kindOf(p)
		if assert.True(t, known, "%s.%s: schema shape %+v has no stand-in kind", where, name, p) {
			assert.Equal(t, k, f.kind, "%s.%s: value shape", where, name)
		}
		assert.Equal(t, contains(required, name), f.required, "%s.%s: required", where, name)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestInputsAgreeWithSchema(t *testing.T) {
	pkg := loadSchema(t)
	for token, fields := range inputs {
		res, ok := pkg.Resources[string(token)]
		require.True(t, ok, "%s is not a resource of the schema", token)
		sameFields(t, string(token), fields, res.InputProperties, res.RequiredInputs)
	}
	sameFields(t, "Connection", connectionFields, pkg.Types["command:remote:Connection"].Properties,
		pkg.Types["command:remote:Connection"].Required)
	sameFields(t, "ProxyConnection", proxyFields, pkg.Types["command:remote:ProxyConnection"].Properties,
		pkg.Types["command:remote:ProxyConnection"].Required)
}

func TestConnectionDefaultsAgreeWithSchema(t *testing.T) {
	pkg := loadSchema(t)
	for _, typ := range []string{"command:remote:Connection", "command:remote:ProxyConnection"} {
		want := map[string]any{}
		for name, p := range pkg.Types[typ].Properties {
			if len(p.Default) == 0 {
				continue
			}
			var v any
			require.NoError(t, json.Unmarshal(p.Default, &v))
			want[name] = v
		}
		// JSON numbers decode as float64, the same type the stand-in uses for property values.
		assert.Equal(t, want, connectionDefaults, "%s defaults", typ)
	}
}

func TestLoggingValuesAgreeWithSchema(t *testing.T) {
	pkg := loadSchema(t)
	ours := []string{LogStdout, LogStderr, LogStdoutAndStderr, LogNone}
	for _, typ := range []string{"command:local:Logging", "command:remote:Logging"} {
		var theirs []string
		for _, e := range pkg.Types[typ].Enum {
			theirs = append(theirs, e.Value)
		}
		assert.ElementsMatch(t, theirs, ours, typ)
	}
}

// The schema marks only `triggers` as replace-on-change; the stand-in's Diff replaces on a trigger change
// (and replaces CopyToRemote on any change, as the provider has no update for it). A schema that marks more
// would need the stand-in's Diff to follow.
func TestReplaceOnChangesIsOnlyTriggers(t *testing.T) {
	pkg := loadSchema(t)
	for token := range inputs {
		var replacing []string
		for name, p := range pkg.Resources[string(token)].InputProperties {
			if p.ReplaceOnChanges {
				replacing = append(replacing, name)
			}
		}
		assert.Equal(t, []string{"triggers"}, replacing, "%s: %s", token, strings.Join(replacing, ","))
	}
}
