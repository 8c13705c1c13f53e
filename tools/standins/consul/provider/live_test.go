package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/consul/api"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"ragmesh.local/tools/standins/consul/consultest"
)

// configured returns a provider bound to the agent, as the engine would configure it.
func configured(t *testing.T, agent *consultest.Agent) *Provider {
	t.Helper()
	p := New()
	inputs := resource.PropertyMap{"address": str2(agent.Address), "scheme": str2("http"), "version": str2(Version)}
	if agent.Token != "" {
		inputs["token"] = resource.MakeSecret(str2(agent.Token))
	}
	_, err := p.Configure(context.Background(), plugin.ConfigureRequest{Inputs: inputs})
	require.NoError(t, err)
	return p
}

func intentionsEntry(t *testing.T, agent *consultest.Agent, name string) *api.ServiceIntentionsConfigEntry {
	t.Helper()
	got, _, err := agent.Client.ConfigEntries().Get(api.ServiceIntentions, name, nil)
	if err != nil {
		require.True(t, isNotFound(err), "reading %s: %v", name, err)
		return nil
	}
	return got.(*api.ServiceIntentionsConfigEntry)
}

func TestIntentionsLifecycle(t *testing.T) {
	agent := consultest.Start(t, false)
	p := configured(t, agent)
	ctx := context.Background()
	typ := tokens.Type(intentionsType)

	inputs := resource.PropertyMap{
		"name":    str2("chroma"),
		"meta":    resource.NewProperty(resource.PropertyMap{"owner": str2("ragmesh")}),
		"sources": sources("app", "allow", "*", "deny"),
	}
	created, err := p.Create(ctx, plugin.CreateRequest{Type: typ, Name: "chroma", Properties: inputs})
	require.NoError(t, err)
	assert.Equal(t, resource.ID("chroma"), created.ID)
	entry := intentionsEntry(t, agent, "chroma")
	require.NotNil(t, entry)
	require.Len(t, entry.Sources, 2)
	assert.Equal(t, "app", entry.Sources[0].Name)
	assert.Equal(t, api.IntentionActionAllow, entry.Sources[0].Action)
	assert.Equal(t, map[string]string{"owner": "ragmesh"}, entry.Meta)
	outSources := created.Properties["sources"].ArrayValue()
	assert.Equal(t, "app", outSources[0].ObjectValue()["name"].StringValue())
	assert.Positive(t, outSources[0].ObjectValue()["precedence"].NumberValue(), "precedence comes from Consul")

	_, err = p.Create(ctx, plugin.CreateRequest{Type: typ, Name: "again", Properties: inputs})
	require.ErrorContains(t, err, `a service-intentions entry for "chroma" already exists`)

	read, err := p.Read(ctx, plugin.ReadRequest{Type: typ, ID: created.ID, Inputs: inputs, State: created.Properties})
	require.NoError(t, err)
	assert.True(t, inputs.DeepEquals(read.Inputs), "refreshed inputs keep the program's shape: %v", read.Inputs)
	d, err := p.Diff(ctx, plugin.DiffRequest{Type: typ, OldInputs: read.Inputs, NewInputs: inputs})
	require.NoError(t, err)
	assert.Equal(t, plugin.DiffNone, d.Changes, "no drift after a refresh")

	changed := inputs.Copy()
	changed["sources"] = sources("app", "deny")
	d, err = p.Diff(ctx, plugin.DiffRequest{Type: typ, OldInputs: inputs, NewInputs: changed})
	require.NoError(t, err)
	assert.Equal(t, plugin.DiffSome, d.Changes)
	assert.Empty(t, d.ReplaceKeys, "a change of sources updates in place")
	_, err = p.Update(ctx, plugin.UpdateRequest{Type: typ, ID: created.ID, OldInputs: inputs, NewInputs: changed})
	require.NoError(t, err)
	entry = intentionsEntry(t, agent, "chroma")
	require.Len(t, entry.Sources, 1)
	assert.Equal(t, api.IntentionActionDeny, entry.Sources[0].Action)

	_, err = p.Delete(ctx, plugin.DeleteRequest{Type: typ, ID: created.ID, Inputs: changed, Outputs: changed})
	require.NoError(t, err)
	assert.Nil(t, intentionsEntry(t, agent, "chroma"))
	gone, err := p.Read(ctx, plugin.ReadRequest{Type: typ, ID: created.ID, Inputs: changed, State: changed})
	require.NoError(t, err)
	assert.Nil(t, gone.Outputs, "a deleted entry reads as gone")
	_, err = p.Delete(ctx, plugin.DeleteRequest{Type: typ, ID: created.ID})
	require.NoError(t, err, "deleting twice is fine")
}

func TestAclPolicyTokenAndSecretID(t *testing.T) {
	agent := consultest.Start(t, true)
	p := configured(t, agent)
	ctx := context.Background()

	policyInputs := resource.PropertyMap{
		"name": str2("chroma-read"), "description": str2("read chroma"),
		"rules": str2(`service "chroma" { policy = "read" }`),
	}
	policy, err := p.Create(ctx, plugin.CreateRequest{Type: aclPolicyType, Properties: policyInputs})
	require.NoError(t, err)
	live, _, err := agent.Client.ACL().PolicyRead(string(policy.ID), nil)
	require.NoError(t, err)
	assert.Equal(t, "chroma-read", live.Name)
	assert.True(t, policyInputs.DeepEquals(policy.Properties), "policy outputs are its inputs: %v", policy.Properties)

	renamed := policyInputs.Copy()
	renamed["name"] = str2("chroma-reader")
	_, err = p.Update(ctx, plugin.UpdateRequest{Type: aclPolicyType, ID: policy.ID, OldInputs: policyInputs,
		NewInputs: renamed})
	require.NoError(t, err)
	live, _, err = agent.Client.ACL().PolicyRead(string(policy.ID), nil)
	require.NoError(t, err)
	assert.Equal(t, "chroma-reader", live.Name, "renamed in place, same ID")

	tokenInputs := resource.PropertyMap{
		"description": str2("app"),
		"policies":    resource.NewProperty([]resource.PropertyValue{str2("chroma-reader")}),
		"serviceIdentities": resource.NewProperty([]resource.PropertyValue{
			resource.NewProperty(resource.PropertyMap{"serviceName": str2("app")}),
		}),
		"nodeIdentities": resource.NewProperty([]resource.PropertyValue{
			resource.NewProperty(resource.PropertyMap{"nodeName": str2("app-vm"), "datacenter": str2("dc1")}),
		}),
	}
	token, err := p.Create(ctx, plugin.CreateRequest{Type: aclTokenType, Properties: tokenInputs})
	require.NoError(t, err)
	assert.Equal(t, string(token.ID), token.Properties["accessorId"].StringValue(), "the ID is the accessor ID")
	for key, value := range token.Properties {
		assert.NotContains(t, key, "secret", "the secret ID never enters the token's state")
		liveToken, _, err := agent.Client.ACL().TokenRead(string(token.ID), nil)
		require.NoError(t, err)
		assert.NotContains(t, value.String(), liveToken.SecretID)
	}
	liveToken, _, err := agent.Client.ACL().TokenRead(string(token.ID), nil)
	require.NoError(t, err)
	assert.Equal(t, "chroma-reader", liveToken.Policies[0].Name)
	assert.Equal(t, "app", liveToken.ServiceIdentities[0].ServiceName)
	assert.Equal(t, "app-vm", liveToken.NodeIdentities[0].NodeName)

	secret, err := p.Invoke(ctx, plugin.InvokeRequest{Tok: secretIDFunction,
		Args: resource.PropertyMap{"accessorId": str2(string(token.ID))}})
	require.NoError(t, err)
	require.True(t, secret.Properties["secretId"].IsSecret(), "the secret ID is returned as a secret")
	assert.Equal(t, liveToken.SecretID, secret.Properties["secretId"].SecretValue().Element.StringValue())
	assert.Equal(t, string(token.ID), secret.Properties["accessorId"].StringValue())
	_, err = p.Invoke(ctx, plugin.InvokeRequest{Tok: secretIDFunction,
		Args: resource.PropertyMap{"accessorId": str2(string(token.ID)), "pgpKey": str2("keybase:x")}})
	require.ErrorContains(t, err, "pgpKey "+notSupported)

	// The token works against the agent with the policy's rights.
	config := api.DefaultNonPooledConfig()
	config.Address, config.Token = agent.Address, liveToken.SecretID
	asApp, err := api.NewClient(config)
	require.NoError(t, err)
	self, _, err := asApp.ACL().TokenReadSelf(nil)
	require.NoError(t, err)
	assert.Equal(t, string(token.ID), self.AccessorID)

	updated := tokenInputs.Copy()
	updated["description"] = str2("app v2")
	d, err := p.Diff(ctx, plugin.DiffRequest{Type: aclTokenType, OldInputs: tokenInputs, NewInputs: updated})
	require.NoError(t, err)
	assert.Empty(t, d.ReplaceKeys)
	out, err := p.Update(ctx, plugin.UpdateRequest{Type: aclTokenType, ID: token.ID, OldInputs: tokenInputs,
		NewInputs: updated})
	require.NoError(t, err)
	assert.Equal(t, "app v2", out.Properties["description"].StringValue())
	after, _, err := agent.Client.ACL().TokenRead(string(token.ID), nil)
	require.NoError(t, err)
	assert.Equal(t, liveToken.SecretID, after.SecretID, "an update keeps the secret")

	_, err = p.Delete(ctx, plugin.DeleteRequest{Type: aclTokenType, ID: token.ID})
	require.NoError(t, err)
	gone, err := p.Read(ctx, plugin.ReadRequest{Type: aclTokenType, ID: token.ID})
	require.NoError(t, err)
	assert.Nil(t, gone.Outputs)
	_, err = p.Delete(ctx, plugin.DeleteRequest{Type: aclPolicyType, ID: policy.ID})
	require.NoError(t, err)
	gone, err = p.Read(ctx, plugin.ReadRequest{Type: aclPolicyType, ID: policy.ID})
	require.NoError(t, err)
	assert.Nil(t, gone.Outputs)
}

func TestWrongTokenIsRefusedByConsul(t *testing.T) {
	agent := consultest.Start(t, true)
	agent.Token = "00000000-0000-0000-0000-000000000000"
	p := configured(t, agent)
	_, err := p.Create(context.Background(), plugin.CreateRequest{Type: aclPolicyType,
		Properties: resource.PropertyMap{"name": str2("x"), "rules": str2("")}})
	require.ErrorContains(t, err, "403")
}
