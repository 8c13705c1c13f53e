package provider

import (
	"context"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func str2(s string) resource.PropertyValue { return resource.NewProperty(s) }

func sources(pairs ...string) resource.PropertyValue {
	var list []resource.PropertyValue
	for i := 0; i < len(pairs); i += 2 {
		list = append(list, resource.NewProperty(resource.PropertyMap{
			"name": str2(pairs[i]), "action": str2(pairs[i+1]),
		}))
	}
	return resource.NewProperty(list)
}

func check(t *testing.T, token string, olds, news resource.PropertyMap) plugin.CheckResponse {
	t.Helper()
	resp, err := New().Check(context.Background(), plugin.CheckRequest{
		URN:  resource.NewURN("stack", "proj", "", tokens.Type(token), "res"),
		Name: "res", Type: tokens.Type(token), Olds: olds, News: news, RandomSeed: []byte("seed"),
	})
	require.NoError(t, err)
	return resp
}

func reasons(failures []plugin.CheckFailure) []string {
	var out []string
	for _, f := range failures {
		out = append(out, f.Reason)
	}
	return out
}

func TestCheckRefusesWhatItDoesNotSupport(t *testing.T) {
	resp := check(t, intentionsType, nil, resource.PropertyMap{
		"name": str2("chroma"),
		"jwts": resource.NewProperty([]resource.PropertyValue{}),
		"sources": resource.NewProperty([]resource.PropertyValue{resource.NewProperty(resource.PropertyMap{
			"name": str2("app"), "action": str2("allow"), "precedence": resource.NewProperty(9.0),
			"permissions": resource.NewProperty([]resource.PropertyValue{}),
		}), resource.NewProperty(resource.PropertyMap{"action": str2("deny")})}),
		"colour": str2("blue"),
	})
	assert.ElementsMatch(t, []string{
		"colour is not a property of this resource in pulumi-consul 3.15.1",
		"jwts " + notSupported,
		"sources[0].permissions " + notSupported,
		"sources[0].precedence is computed by Consul and cannot be set",
		"sources[1].name is required",
	}, reasons(resp.Failures))

	resp = check(t, aclPolicyType, nil, resource.PropertyMap{"datacenters": str2("dc1")})
	assert.ElementsMatch(t, []string{"datacenters must be a list", "rules is required"}, reasons(resp.Failures))

	resp = check(t, aclTokenType, nil, resource.PropertyMap{
		"local": str2("yes"), "templatedPolicies": resource.NewProperty([]resource.PropertyValue{}),
		"serviceIdentities": resource.NewProperty([]resource.PropertyValue{
			resource.NewProperty(resource.PropertyMap{"datacenters": resource.NewProperty([]resource.PropertyValue{})}),
		}),
	})
	assert.ElementsMatch(t, []string{"local must be a boolean", "templatedPolicies " + notSupported,
		"serviceIdentities[0].serviceName is required"}, reasons(resp.Failures))
}

func TestCheckAutonamesAndKeepsNames(t *testing.T) {
	resp := check(t, aclPolicyType, nil, resource.PropertyMap{"rules": str2("")})
	require.Empty(t, resp.Failures)
	name := resp.Properties["name"].StringValue()
	assert.Regexp(t, `^res-[0-9a-f]{7}$`, name)

	again := check(t, aclPolicyType, resp.Properties, resource.PropertyMap{"rules": str2("")})
	assert.Equal(t, name, again.Properties["name"].StringValue(), "an autoname survives later updates")

	explicit := check(t, intentionsType, nil, resource.PropertyMap{"name": str2("chroma")})
	assert.Equal(t, "chroma", explicit.Properties["name"].StringValue())

	unknown := check(t, intentionsType, nil, resource.PropertyMap{
		"name": resource.MakeComputed(str2("")), "sources": resource.MakeComputed(str2("")),
	})
	assert.Empty(t, unknown.Failures, "unknown values pass Check during preview")
	assert.True(t, unknown.Properties["name"].IsComputed())
}

func TestDiffReplacesPerSchema(t *testing.T) {
	p := New()
	run := func(token string, olds, news resource.PropertyMap) plugin.DiffResult {
		d, err := p.Diff(context.Background(), plugin.DiffRequest{Type: tokens.Type(token), OldInputs: olds, NewInputs: news})
		require.NoError(t, err)
		return d
	}
	base := resource.PropertyMap{"name": str2("chroma"), "sources": sources("app", "allow")}

	same := run(intentionsType, base, base.Copy())
	assert.Equal(t, plugin.DiffNone, same.Changes)

	renamed := base.Copy()
	renamed["name"] = str2("chroma2")
	d := run(intentionsType, base, renamed)
	assert.Equal(t, plugin.DiffSome, d.Changes)
	assert.Equal(t, []resource.PropertyKey{"name"}, d.ReplaceKeys)
	assert.Equal(t, plugin.DiffUpdateReplace, d.DetailedDiff["name"].Kind)

	resourced := base.Copy()
	resourced["sources"] = sources("app", "deny")
	d = run(intentionsType, base, resourced)
	assert.Equal(t, plugin.DiffSome, d.Changes)
	assert.Empty(t, d.ReplaceKeys)
	assert.Equal(t, plugin.DiffUpdate, d.DetailedDiff["sources[0].action"].Kind)

	unknown := base.Copy()
	unknown["sources"] = resource.MakeComputed(str2(""))
	d = run(intentionsType, base, unknown)
	assert.Equal(t, plugin.DiffSome, d.Changes)
	assert.Empty(t, d.ReplaceKeys)

	token := resource.PropertyMap{"description": str2("a"), "local": resource.NewProperty(false)}
	local := token.Copy()
	local["local"] = resource.NewProperty(true)
	assert.Equal(t, []resource.PropertyKey{"local"}, run(aclTokenType, token, local).ReplaceKeys)
	described := token.Copy()
	described["description"] = str2("b")
	assert.Empty(t, run(aclTokenType, token, described).ReplaceKeys)

	policy := resource.PropertyMap{"name": str2("p"), "rules": str2("")}
	renamedPolicy := resource.PropertyMap{"name": str2("q"), "rules": str2("")}
	d = run(aclPolicyType, policy, renamedPolicy)
	assert.Equal(t, plugin.DiffSome, d.Changes)
	assert.Empty(t, d.ReplaceKeys, "Consul renames a policy in place")
}

func TestConfigRefusesUnknownKeys(t *testing.T) {
	p := New()
	resp, err := p.CheckConfig(context.Background(), plugin.CheckConfigRequest{News: resource.PropertyMap{
		"address": str2("127.0.0.1:8500"), "version": str2(Version), "caFile": str2("/ca.pem"),
		"adress": str2("typo"), "insecureHttps": str2("maybe"),
	}})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{
		"consul:caFile " + notSupported,
		"consul:adress is not a pulumi-consul 3.15.1 provider setting",
		"consul:insecureHttps must be a boolean, got {maybe}",
	}, reasons(resp.Failures))

	_, err = p.Configure(context.Background(), plugin.ConfigureRequest{Inputs: resource.PropertyMap{"adress": str2("x")}})
	require.ErrorContains(t, err, "consul:adress is not a pulumi-consul 3.15.1 provider setting")
	_, err = p.Configure(context.Background(), plugin.ConfigureRequest{Inputs: resource.PropertyMap{"scheme": str2("ftp")}})
	require.ErrorContains(t, err, "consul:scheme must be http or https")

	_, err = p.Configure(context.Background(), plugin.ConfigureRequest{Inputs: resource.PropertyMap{
		"insecureHttps": str2("true"), "token": resource.MakeSecret(str2("t")), "version": str2(Version),
	}})
	require.NoError(t, err, "stack configuration delivers booleans as strings")
}

func TestPreviewLeavesComputedValuesUnknown(t *testing.T) {
	p := New() // not configured: a preview must not need Consul
	created, err := p.Create(context.Background(), plugin.CreateRequest{
		Type: aclTokenType, Preview: true, Properties: resource.PropertyMap{"policies": resource.MakeComputed(str2(""))},
	})
	require.NoError(t, err)
	assert.True(t, created.Properties["accessorId"].IsComputed())
	assert.True(t, created.Properties["policies"].IsComputed())

	updated, err := p.Update(context.Background(), plugin.UpdateRequest{
		Type: aclTokenType, Preview: true, NewInputs: resource.PropertyMap{"description": str2("x")},
		OldOutputs: resource.PropertyMap{"accessorId": str2("abc")},
	})
	require.NoError(t, err)
	assert.Equal(t, "abc", updated.Properties["accessorId"].StringValue())

	_, err = p.Create(context.Background(), plugin.CreateRequest{Type: "consul:index/keys:Keys", Preview: true})
	require.ErrorContains(t, err, "consul:index/keys:Keys is not supported")
}
