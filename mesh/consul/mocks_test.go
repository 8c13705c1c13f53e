package consul

import (
	"context"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// registration is what the engine would have received for one resource.
type registration struct {
	name   string
	inputs resource.PropertyMap
	rpc    *pulumirpc.RegisterResourceRequest
}

// recordingMocks records every registration and answers invokes with a fixed secret ID.
type recordingMocks struct {
	mu            sync.Mutex
	registrations map[string][]registration
	calls         []pulumi.MockCallArgs
}

const mockSecretID = "11111111-2222-3333-4444-555555555555"

func (m *recordingMocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.registrations == nil {
		m.registrations = map[string][]registration{}
	}
	m.registrations[args.TypeToken] = append(m.registrations[args.TypeToken],
		registration{args.Name, args.Inputs, args.RegisterRPC})
	outputs := args.Inputs.Copy()
	id := args.Name + "-id"
	if args.TypeToken == AclTokenType {
		outputs["accessorId"] = resource.NewProperty(id)
	}
	return id, outputs, nil
}

func (m *recordingMocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, args)
	// Deliberately not marked secret: the binding must keep the value secret on its own.
	return resource.PropertyMap{
		"accessorId":        args.Args["accessorId"],
		"id":                args.Args["accessorId"],
		"secretId":          resource.NewProperty(mockSecretID),
		"encryptedSecretId": resource.NewProperty(""),
	}, nil
}

// only returns the single registration of a type token.
func (m *recordingMocks) only(t *testing.T, token string) registration {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	regs := m.registrations[token]
	require.Len(t, regs, 1, "registrations of %s", token)
	return regs[0]
}

func propertyKey(name string) resource.PropertyKey { return resource.PropertyKey(name) }

// registerAll registers one of each resource with every field the mesh uses set.
func registerAll(ctx *pulumi.Context) error {
	provider, err := NewProvider(ctx, "server", &ProviderArgs{
		Address:       pulumi.String("10.0.1.4:8500"),
		Scheme:        pulumi.String("https"),
		Datacenter:    pulumi.String("dc1"),
		Token:         pulumi.String("management-token"),
		CaPem:         pulumi.String("-----BEGIN CERTIFICATE-----"),
		InsecureHttps: pulumi.Bool(false),
	})
	if err != nil {
		return err
	}
	onServer := pulumi.Provider(provider)
	if _, err := NewConfigEntryServiceIntentions(ctx, "chroma", &ConfigEntryServiceIntentionsArgs{
		Name: pulumi.String("chroma"),
		Meta: pulumi.StringMap{"owner": pulumi.String("ragmesh")},
		Sources: ConfigEntryServiceIntentionsSourceArray{
			ConfigEntryServiceIntentionsSourceArgs{
				Name: pulumi.String("app"), Action: pulumi.String("allow"), Description: pulumi.String("app reads"),
			},
			ConfigEntryServiceIntentionsSourceArgs{Name: pulumi.String("*"), Action: pulumi.String("deny")},
		},
	}, onServer); err != nil {
		return err
	}
	if _, err := NewAclPolicy(ctx, "agent", &AclPolicyArgs{
		Name:        pulumi.String("agent"),
		Description: pulumi.String("agents register their node"),
		Rules:       pulumi.String(`node_prefix "" { policy = "write" }`),
		Datacenters: pulumi.StringArray{pulumi.String("dc1")},
	}, onServer); err != nil {
		return err
	}
	token, err := NewAclToken(ctx, "app", &AclTokenArgs{
		Description:       pulumi.String("app service"),
		Local:             pulumi.Bool(false),
		Policies:          pulumi.StringArray{pulumi.String("agent")},
		ServiceIdentities: AclTokenServiceIdentityArray{AclTokenServiceIdentityArgs{ServiceName: pulumi.String("app")}},
		NodeIdentities: AclTokenNodeIdentityArray{
			AclTokenNodeIdentityArgs{NodeName: pulumi.String("app-vm"), Datacenter: pulumi.String("dc1")},
		},
	}, onServer)
	if err != nil {
		return err
	}
	secret := GetAclTokenSecretIdOutput(ctx, GetAclTokenSecretIdOutputArgs{AccessorId: token.AccessorId},
		pulumi.Provider(provider))
	ctx.Export("secretId", secret.SecretId())
	return nil
}

func TestRegistrationsSendTokenInputsAndVersion(t *testing.T) {
	mocks := &recordingMocks{}
	require.NoError(t, pulumi.RunErr(registerAll, pulumi.WithMocks("ragmesh", "test", mocks)))

	for _, token := range []string{ProviderType, ConfigEntryServiceIntentionsType, AclPolicyType, AclTokenType} {
		reg := mocks.only(t, token)
		assert.Equal(t, PluginVersion, reg.rpc.GetVersion(), "%s version", token)
		assert.Equal(t, token, reg.rpc.GetType())
		if token != ProviderType {
			assert.Contains(t, reg.rpc.GetProvider(), "::server::", "%s uses the explicit provider", token)
		}
	}

	provider := mocks.only(t, ProviderType).inputs
	assert.Equal(t, "10.0.1.4:8500", provider["address"].StringValue())
	assert.Equal(t, "https", provider["scheme"].StringValue())
	assert.Equal(t, "dc1", provider["datacenter"].StringValue())
	assert.Equal(t, "management-token", provider["token"].SecretValue().Element.StringValue())
	assert.Equal(t, false, provider["insecureHttps"].BoolValue())
	assert.Contains(t, provider, resource.PropertyKey("caPem"))

	intentions := mocks.only(t, ConfigEntryServiceIntentionsType).inputs
	assert.Equal(t, resource.PropertyMap{
		"name": resource.NewProperty("chroma"),
		"meta": resource.NewProperty(resource.PropertyMap{"owner": resource.NewProperty("ragmesh")}),
		"sources": resource.NewProperty([]resource.PropertyValue{
			resource.NewProperty(resource.PropertyMap{
				"name": resource.NewProperty("app"), "action": resource.NewProperty("allow"),
				"description": resource.NewProperty("app reads"),
			}),
			resource.NewProperty(resource.PropertyMap{
				"name": resource.NewProperty("*"), "action": resource.NewProperty("deny"),
			}),
		}),
	}, intentions)

	policy := mocks.only(t, AclPolicyType).inputs
	assert.Equal(t, "agent", policy["name"].StringValue())
	assert.Equal(t, `node_prefix "" { policy = "write" }`, policy["rules"].StringValue())
	assert.Equal(t, "dc1", policy["datacenters"].ArrayValue()[0].StringValue())

	token := mocks.only(t, AclTokenType).inputs
	assert.Equal(t, resource.NewProperty([]resource.PropertyValue{resource.NewProperty(resource.PropertyMap{
		"serviceName": resource.NewProperty("app"),
	})}), token["serviceIdentities"])
	assert.Equal(t, resource.NewProperty([]resource.PropertyValue{resource.NewProperty(resource.PropertyMap{
		"nodeName": resource.NewProperty("app-vm"), "datacenter": resource.NewProperty("dc1"),
	})}), token["nodeIdentities"])
	assert.Equal(t, "agent", token["policies"].ArrayValue()[0].StringValue())
	assert.False(t, token["local"].BoolValue())
	assert.NotContains(t, token, resource.PropertyKey("accessorId"), "unset inputs are not sent")
}

func TestGetAclTokenSecretIdIsSecret(t *testing.T) {
	mocks := &recordingMocks{}
	var secret pulumi.StringOutput
	program := func(ctx *pulumi.Context) error {
		secret = GetAclTokenSecretIdOutput(ctx, GetAclTokenSecretIdOutputArgs{
			AccessorId: pulumi.String("accessor-1"),
		}).SecretId()
		return nil
	}
	require.NoError(t, pulumi.RunErr(program, pulumi.WithMocks("ragmesh", "test", mocks)))

	result, err := internals.UnsafeAwaitOutput(context.Background(), secret)
	require.NoError(t, err)
	assert.True(t, result.Known)
	assert.True(t, result.Secret, "the secret ID must stay a Pulumi secret")
	assert.Equal(t, mockSecretID, result.Value)
	require.Len(t, mocks.calls, 1)
	assert.Equal(t, GetAclTokenSecretIdToken, mocks.calls[0].Token)
	assert.Equal(t, "accessor-1", mocks.calls[0].Args["accessorId"].StringValue())
}

func TestAclPolicyRequiresRules(t *testing.T) {
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := NewAclPolicy(ctx, "p", &AclPolicyArgs{Name: pulumi.String("p")})
		return err
	}, pulumi.WithMocks("ragmesh", "test", &recordingMocks{}))
	require.ErrorContains(t, err, "Rules")
}
