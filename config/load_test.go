package config

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

type noResources struct{}

func (noResources) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	return args.Name + "-id", args.Inputs, nil
}

func (noResources) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{}, nil
}

// load runs Load the way `pulumi up` does: the engine hands the stack config to the program as JSON in
// PULUMI_CONFIG, and names the secret keys in PULUMI_CONFIG_SECRET_KEYS.
func load(t *testing.T, settings map[string]string, check func(ctx *pulumi.Context, c *Config, err error)) {
	t.Helper()
	cfg := map[string]string{}
	var secrets []string
	for k, v := range settings {
		cfg[Namespace+":"+k] = v
		if k == "sshPrivateKey" {
			secrets = append(secrets, Namespace+":"+k)
		}
	}
	raw, err := json.Marshal(cfg)
	require.NoError(t, err)
	keys, err := json.Marshal(secrets)
	require.NoError(t, err)
	t.Setenv(pulumi.EnvConfig, string(raw))
	t.Setenv(pulumi.EnvConfigSecretKeys, string(keys))

	err = pulumi.RunErr(func(ctx *pulumi.Context) error {
		c, err := Load(ctx)
		check(ctx, c, err)
		return nil
	}, pulumi.WithMocks("ragmesh", "dev", noResources{}))
	require.NoError(t, err)
}

func minimalSettings() map[string]string {
	return map[string]string{
		"operatorCidr":  "10.20.0.0/24",
		"sshPublicKey":  exampleKey,
		"sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----\nnot a real key\n-----END OPENSSH PRIVATE KEY-----",
	}
}

func TestLoadAppliesDefaultsAndKeepsThePrivateKeySecret(t *testing.T) {
	load(t, minimalSettings(), func(ctx *pulumi.Context, c *Config, err error) {
		require.NoError(t, err)
		assert.Equal(t, SourceAzure, c.HostSource)
		assert.Equal(t, "westeurope", c.Azure.Location)
		assert.True(t, c.Azure.CreateResourceGroup)
		assert.Equal(t, "10.0.0.0/16", c.Azure.VnetCidr)
		assert.Equal(t, "10.0.1.0/24", c.Azure.AppSubnetCidr)
		assert.Equal(t, "10.0.2.0/24", c.Azure.DataSubnetCidr)
		assert.Equal(t, 1, c.Azure.ConsulServerCount)
		assert.Equal(t, 1, c.Azure.AppVMCount)
		assert.Equal(t, DefaultImage, c.Azure.Image)
		assert.Equal(t, "dc1", c.Consul.Datacenter)
		assert.Equal(t, DefaultIntentions, c.Intentions)

		key, err := internals.UnsafeAwaitOutput(context.Background(), c.SSHPrivateKey)
		require.NoError(t, err)
		assert.True(t, key.Secret, "the private key must stay a Pulumi secret")
		assert.Contains(t, key.Value, "OPENSSH PRIVATE KEY")
	})
}

func TestLoadReadsTypedValuesAndObjects(t *testing.T) {
	s := minimalSettings()
	s["consulServerCount"] = "3"
	s["appVmCount"] = "2"
	s["createResourceGroup"] = "false"
	s["resourceGroupName"] = "shared-rg"
	s["tags"] = `{"owner":"search-team"}`
	s["jumpHost"] = `{"host":"10.20.0.4","user":"bastion","port":2222}`
	s["image"] = `{"sku":"22_04-lts-gen2","version":"22.04.202401010"}`
	s["intentions"] = `[{"source":"worker","destination":"chromadb"}]`
	load(t, s, func(ctx *pulumi.Context, c *Config, err error) {
		require.NoError(t, err)
		assert.Equal(t, 3, c.Azure.ConsulServerCount)
		assert.Equal(t, 2, c.Azure.AppVMCount)
		assert.False(t, c.Azure.CreateResourceGroup)
		assert.Equal(t, "shared-rg", c.Azure.ResourceGroupName)
		assert.Equal(t, map[string]string{"owner": "search-team"}, c.Azure.Tags)
		assert.Equal(t, &JumpHost{Host: "10.20.0.4", User: "bastion", Port: 2222}, c.Azure.JumpHost)
		assert.Equal(t, "Canonical", c.Azure.Image.Publisher, "a partial image keeps the other defaults")
		assert.Equal(t, "22.04.202401010", c.Azure.Image.Version)
		assert.Equal(t, []Intention{{Source: "worker", Destination: "chromadb"}}, c.Intentions)
	})
	assert.Equal(t, []Intention{{Source: "django-app", Destination: "chromadb"}}, DefaultIntentions,
		"reading intentions must not overwrite the package default")
}

func TestLoadRejectsAnUnknownKey(t *testing.T) {
	s := minimalSettings()
	s["operatorCdir"] = "10.20.0.0/24"
	load(t, s, func(ctx *pulumi.Context, c *Config, err error) {
		require.Error(t, err)
		assert.Nil(t, c)
		assert.Contains(t, err.Error(), "ragmesh:operatorCdir is not a setting of this program")
	})
}

func TestLoadReportsEveryProblemAtOnce(t *testing.T) {
	load(t, map[string]string{
		"consulServerCount":   "three",
		"createResourceGroup": "maybe",
		"jumpHost":            `"bastion"`,
		"vnetCidr":            "10.0.0.0/40",
	}, func(ctx *pulumi.Context, c *Config, err error) {
		require.Error(t, err)
		msg := err.Error()
		for _, want := range []string{
			"ragmesh:sshPrivateKey is missing",
			"ragmesh:operatorCidr: is required",
			"ragmesh:sshPublicKey: is empty",
			`ragmesh:consulServerCount = "three" is not a whole number`,
			`ragmesh:createResourceGroup = "maybe": set true or false`,
			"ragmesh:jumpHost does not have the documented shape",
			"ragmesh:vnetCidr:",
		} {
			assert.Contains(t, msg, want)
		}
		var problems Errors
		require.ErrorAs(t, err, &problems)
		assert.GreaterOrEqual(t, len(problems), 7)
	})
}

// An intentions entry that leaves a field out is an error; it never inherits the default edge's values.
func TestLoadDoesNotFillIntentionsFromTheDefault(t *testing.T) {
	s := minimalSettings()
	s["intentions"] = `[{"source":"web"},{}]`
	load(t, s, func(ctx *pulumi.Context, c *Config, err error) {
		require.Error(t, err)
		assert.Contains(t, err.Error(), `ragmesh:intentions: entry 0: destination is missing: name the called service`)
		assert.Contains(t, err.Error(), `ragmesh:intentions: entry 1: source is missing: name the calling service`)
	})
	s["intentions"] = `[]`
	load(t, s, func(ctx *pulumi.Context, c *Config, err error) {
		require.NoError(t, err)
		assert.Empty(t, c.Intentions, "an empty list allows nothing")
	})
}

// A misspelt field inside a structured setting is reported like a misspelt key, with the fields it may have.
func TestLoadRejectsUnknownFieldsInsideObjects(t *testing.T) {
	s := minimalSettings()
	s["intentions"] = `[{"source":"django-app","destination":"chromadb","action":"deny"}]`
	s["jumpHost"] = `{"hots":"10.20.0.4"}`
	s["networkStack"] = `{"stak":"platform/network/dev"}`
	load(t, s, func(ctx *pulumi.Context, c *Config, err error) {
		require.Error(t, err)
		msg := err.Error()
		assert.Contains(t, msg, `ragmesh:intentions: entry 0: unknown field "action": fix its spelling or remove it (fields: source, destination)`)
		assert.Contains(t, msg, `ragmesh:jumpHost: unknown field "hots"`)
		assert.Contains(t, msg, `ragmesh:networkStack: unknown field "stak"`)
	})
	given := minimalSettings()
	given["hostSource"] = "given"
	given["hosts"] = `[{"role":"app","name":"app","address":"10.0.1.5","usr":"ops"},{"Role":"chroma","name":"c","address":"10.0.2.4","prt":2}]`
	load(t, given, func(ctx *pulumi.Context, c *Config, err error) {
		require.Error(t, err)
		assert.Contains(t, err.Error(), `ragmesh:hosts: entry 0: unknown field "usr": fix its spelling or remove it (fields: role, name, address, user, port, dataDevice)`)
		// Every unknown field at once, and names are matched exactly: "Role" is not "role".
		assert.Contains(t, err.Error(), `ragmesh:hosts: entry 1: unknown field "Role"`)
		assert.Contains(t, err.Error(), `ragmesh:hosts: entry 1: unknown field "prt"`)
	})
}

// A key set to "" does not silently mean its default.
func TestLoadRejectsEmptyValuesOfKeysWithDefaults(t *testing.T) {
	s := minimalSettings()
	s["vmSizeApp"] = ""
	s["hostSource"] = " "
	s["resourceGroupName"] = "" // its default is empty: "" means "derive the name"
	s["consulBinary"] = "  "    // blanks are never a value
	load(t, s, func(ctx *pulumi.Context, c *Config, err error) {
		require.Error(t, err)
		msg := err.Error()
		assert.Contains(t, msg, `ragmesh:vmSizeApp is set but empty: remove it to use the default "Standard_B2s", or give a value`)
		assert.Contains(t, msg, `ragmesh:hostSource is set but empty`)
		assert.NotContains(t, msg, "resourceGroupName")
		assert.Contains(t, msg, `ragmesh:consulBinary = "  " has leading or trailing blanks`)
	})
}
