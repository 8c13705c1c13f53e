package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const meshStack = "organization/ragmesh/dev"

// stackMocks plays the engine: the StackReference to meshStack returns outputs (secret ones as listed).
type stackMocks struct {
	outputs map[string]any
	secret  []string
}

func (m stackMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	if args.TypeToken != "pulumi:pulumi:StackReference" || args.ID != meshStack {
		return "", nil, nil
	}
	outputs := resource.NewPropertyMapFromMap(m.outputs)
	var names []resource.PropertyValue
	for _, s := range m.secret {
		outputs[resource.PropertyKey(s)] = resource.MakeSecret(outputs[resource.PropertyKey(s)])
		names = append(names, resource.NewProperty(s))
	}
	return args.ID, resource.PropertyMap{
		"name":              resource.NewProperty(args.ID),
		"outputs":           resource.NewProperty(outputs),
		"secretOutputNames": resource.NewProperty(names),
	}, nil
}

func (stackMocks) Call(pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// ragmeshOutputs is what a deployed ragmesh stack with two app hosts exports (the fields this program reads
// and some it does not).
func ragmeshOutputs() map[string]any {
	return map[string]any{
		"consulDatacenter":      "dev",
		"consulServerAddresses": []any{"10.0.1.4"},
		"appAddresses":          []any{"10.0.1.5", "10.0.1.6"},
		"chromaAddress":         "10.0.2.4",
		"chromaUpstream":        "127.0.0.1:8001",
		"appEnvFile":            "/etc/django-app/mesh.env",
		"meshServices":          map[string]any{"app": "django-app", "vectorStore": "chromadb"},
		"allowedIntentions":     []any{"django-app -> chromadb"},
	}
}

// deploy runs the program as `pulumi up` does and returns its exports as JSON values.
func deploy(t *testing.T, m stackMocks, stackConfig map[string]string) (map[string]any, error) {
	t.Helper()
	raw, err := json.Marshal(stackConfig)
	require.NoError(t, err)
	t.Setenv(pulumi.EnvConfig, string(raw))
	exports := map[string]any{}
	err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		if err := run(ctx); err != nil {
			return err
		}
		for name, v := range ctx.GetCurrentExportMap() {
			r, err := internals.UnsafeAwaitOutput(context.Background(), pulumi.ToOutput(v))
			require.NoError(t, err)
			b, err := json.Marshal(r.Value)
			require.NoError(t, err)
			var out any
			require.NoError(t, json.Unmarshal(b, &out))
			exports[name] = out
		}
		return nil
	}, pulumi.WithMocks("ragmesh-consumer", "dev", m))
	return exports, err
}

var consumerConfig = map[string]string{"ragmesh-consumer:meshStack": meshStack}

func TestConsumerConfiguresOneDeploymentPerAppHost(t *testing.T) {
	got, err := deploy(t, stackMocks{outputs: ragmeshOutputs()}, consumerConfig)
	require.NoError(t, err)
	assert.Equal(t, []any{"10.0.1.5", "10.0.1.6"}, got["appHosts"])
	assert.Equal(t, "http://127.0.0.1:8001", got["chromaUrl"])
	settings := map[string]any{"CHROMA_URL": "http://127.0.0.1:8001", "CONSUL_DATACENTER": "dev", "MESH_SERVICE": "django-app"}
	assert.Equal(t, []any{
		map[string]any{"host": "10.0.1.5", "envFile": "/etc/django-app/mesh.env", "settings": settings},
		map[string]any{"host": "10.0.1.6", "envFile": "/etc/django-app/mesh.env", "settings": settings},
	}, got["deployments"])
}

func TestConsumerReadsSecretOutputsToo(t *testing.T) {
	got, err := deploy(t, stackMocks{outputs: ragmeshOutputs(), secret: []string{"chromaUpstream"}}, consumerConfig)
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8001", got["chromaUrl"])
}

func TestConsumerNamesEveryMissingOutput(t *testing.T) {
	outputs := ragmeshOutputs()
	delete(outputs, "chromaUpstream")
	delete(outputs, "appAddresses")
	_, err := deploy(t, stackMocks{outputs: outputs}, consumerConfig)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the ragmesh stack organization/ragmesh/dev does not provide what this deployment needs (nothing was created)")
	assert.Contains(t, err.Error(), `output "chromaUpstream" (string) is missing`)
	assert.Contains(t, err.Error(), `output "appAddresses" (list of strings) is missing`)
	assert.Contains(t, err.Error(), "pulumi stack output --stack organization/ragmesh/dev")
}

func TestConsumerRejectsAnOutputOfTheWrongType(t *testing.T) {
	outputs := ragmeshOutputs()
	outputs["appAddresses"] = "10.0.1.5"
	outputs["meshServices"] = map[string]any{"app": 1.0}
	_, err := deploy(t, stackMocks{outputs: outputs}, consumerConfig)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `output "appAddresses" is a string, not a list of strings`)
	assert.Contains(t, err.Error(), `output "meshServices" is a map[string]interface {}, not a map of strings`)
}

func TestConsumerRejectsAStackWithNoAppHost(t *testing.T) {
	outputs := ragmeshOutputs()
	outputs["appAddresses"] = []any{}
	_, err := deploy(t, stackMocks{outputs: outputs}, consumerConfig)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `output "appAddresses" is empty`)
}

func TestConsumerNeedsTheMeshStackSetting(t *testing.T) {
	_, err := deploy(t, stackMocks{outputs: ragmeshOutputs()}, map[string]string{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ragmesh-consumer:meshStack is not set")
}

func TestAllowsAppFollowsTheIntentions(t *testing.T) {
	m := &Mesh{AppService: "django-app", Allowed: []string{"django-app -> chromadb"}}
	assert.True(t, m.AllowsApp())
	m.Allowed = []string{"other -> chromadb", "django-app-2 -> chromadb"}
	assert.False(t, m.AllowsApp())
}
