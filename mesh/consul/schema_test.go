package consul

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// schemaFile is the provider schema this binding follows; it is reference data kept outside the repository.
const schemaFile = "pulumi-consul-3.15.1.schema.json"

// schemaProp is the part of a schema property that decides its Go shape.
type schemaProp struct {
	Type                 string      `json:"type"`
	Ref                  string      `json:"$ref"`
	Items                *schemaProp `json:"items"`
	AdditionalProperties *schemaProp `json:"additionalProperties"`
	Secret               bool        `json:"secret"`
}

type schemaObject struct {
	Properties      map[string]schemaProp `json:"properties"`
	InputProperties map[string]schemaProp `json:"inputProperties"`
	Required        []string              `json:"required"`
	RequiredInputs  []string              `json:"requiredInputs"`
}

type schemaFunction struct {
	Inputs  schemaObject `json:"inputs"`
	Outputs schemaObject `json:"outputs"`
}

type schemaPackage struct {
	Name      string                    `json:"name"`
	Provider  schemaObject              `json:"provider"`
	Resources map[string]schemaObject   `json:"resources"`
	Types     map[string]schemaObject   `json:"types"`
	Functions map[string]schemaFunction `json:"functions"`
}

// loadSchema finds shared/schemas by walking up from the test's directory, or skips the test.
func loadSchema(t *testing.T) *schemaPackage {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		candidate := filepath.Join(dir, "shared", "schemas", schemaFile)
		if _, err := os.Stat(candidate); err == nil {
			data, err := os.ReadFile(candidate)
			require.NoError(t, err)
			var pkg schemaPackage
			require.NoError(t, json.Unmarshal(data, &pkg))
			require.Equal(t, "consul", pkg.Name)
			return &pkg
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("schema conformance not checked: no shared/schemas/%s above the test directory", schemaFile)
		}
		dir = parent
	}
}

// refType resolves a "#/types/<token>" reference.
func (p *schemaPackage) refType(t *testing.T, ref string) schemaObject {
	t.Helper()
	token, ok := strings.CutPrefix(ref, "#/types/")
	require.True(t, ok, "unsupported reference %q", ref)
	obj, ok := p.Types[token]
	require.True(t, ok, "reference %q not in schema types", ref)
	return obj
}
