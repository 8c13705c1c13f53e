package mesh

import (
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ragmesh/ragmesh/config"
)

// recorder keeps every registered resource's type and inputs.
type recorder struct {
	mu        sync.Mutex
	resources map[string]resource.PropertyMap
	types     map[string]string
}

func (r *recorder) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.resources[args.Name] = args.Inputs
	r.types[args.Name] = args.TypeToken
	out := args.Inputs.Copy()
	if args.TypeToken == "consul:index/aclToken:AclToken" {
		out["accessorId"] = resource.NewStringProperty("accessor-" + args.Name)
	}
	return args.Name + "-id", out, nil
}

func (r *recorder) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	return resource.PropertyMap{"secretId": resource.NewStringProperty("secret-of-" + args.Args["accessorId"].StringValue())}, nil
}

func run(t *testing.T, program func(ctx *pulumi.Context) error) *recorder {
	t.Helper()
	r := &recorder{resources: map[string]resource.PropertyMap{}, types: map[string]string{}}
	require.NoError(t, pulumi.RunErr(program, pulumi.WithMocks("ragmesh", "test", r)))
	return r
}

func TestDestinationsGroupsCallersStably(t *testing.T) {
	names, callers := Destinations([]config.Intention{
		{Source: "worker", Destination: "chromadb"}, {Source: "django-app", Destination: "chromadb"},
		{Source: "django-app", Destination: "reports"},
	})
	assert.Equal(t, []string{"chromadb", "reports"}, names)
	assert.Equal(t, []string{"django-app", "worker"}, callers["chromadb"])
}

// TestIntentionsAreDenyAllPlusOneAllowEntryPerDestination pins the policy shape: an explicit deny-all for every
// service, and one entry per destination that allows exactly the configured callers, all via the explicit provider.
func TestIntentionsAreDenyAllPlusOneAllowEntryPerDestination(t *testing.T) {
	r := run(t, func(ctx *pulumi.Context) error {
		acl, err := NewACL(ctx, "acl", ACLArgs{ServerAddress: pulumi.String("10.0.1.4"), CAPem: pulumi.String("PEM"),
			ManagementToken: pulumi.String("mgmt"), Datacenter: "dc1", Nodes: []string{"app"}, Services: []string{"django-app"}})
		if err != nil {
			return err
		}
		_, err = New(ctx, "mesh", Args{Provider: acl.Provider, Intentions: config.DefaultIntentions})
		return err
	})
	deny := r.resources["mesh-deny-all"]
	require.NotNil(t, deny)
	assert.Equal(t, "*", deny["name"].StringValue())
	src := deny["sources"].ArrayValue()[0].ObjectValue()
	assert.Equal(t, "*", src["name"].StringValue())
	assert.Equal(t, "deny", src["action"].StringValue())

	allow := r.resources["mesh-chromadb"]
	require.NotNil(t, allow)
	sources := allow["sources"].ArrayValue()
	require.Len(t, sources, 1)
	assert.Equal(t, "django-app", sources[0].ObjectValue()["name"].StringValue())
	assert.Equal(t, "allow", sources[0].ObjectValue()["action"].StringValue())
	assert.Equal(t, "consul:index/configEntryServiceIntentions:ConfigEntryServiceIntentions", r.types["mesh-chromadb"])
}

func TestNoIntentionsLeavesOnlyTheDenyAll(t *testing.T) {
	r := run(t, func(ctx *pulumi.Context) error {
		acl, err := NewACL(ctx, "acl", ACLArgs{ServerAddress: pulumi.String("10.0.1.4"), CAPem: pulumi.String("PEM"),
			ManagementToken: pulumi.String("mgmt"), Datacenter: "dc1"})
		if err != nil {
			return err
		}
		_, err = New(ctx, "mesh", Args{Provider: acl.Provider})
		return err
	})
	var entries []string
	for name, typ := range r.types {
		if typ == "consul:index/configEntryServiceIntentions:ConfigEntryServiceIntentions" {
			entries = append(entries, name)
		}
	}
	assert.Equal(t, []string{"mesh-deny-all"}, entries)
}

// TestACLMakesOneTokenPerNodeAndService checks node identities for agents and service identities for
// services, and that the provider talks HTTPS to the server with the management token as a secret.
func TestACLMakesOneTokenPerNodeAndService(t *testing.T) {
	var secrets []bool
	r := run(t, func(ctx *pulumi.Context) error {
		acl, err := NewACL(ctx, "acl", ACLArgs{ServerAddress: pulumi.String("10.0.1.4"), CAPem: pulumi.String("PEM"),
			ManagementToken: pulumi.ToSecret(pulumi.String("mgmt")).(pulumi.StringOutput), Datacenter: "dc1",
			Nodes: []string{"consul", "app"}, Services: []string{"django-app", "chromadb"}})
		if err != nil {
			return err
		}
		for _, tok := range []pulumi.StringOutput{acl.NodeTokens["app"], acl.ServiceTokens["chromadb"]} {
			secrets = append(secrets, pulumi.IsSecret(tok))
		}
		return nil
	})
	assert.Equal(t, []bool{true, true}, secrets, "token secrets must stay Pulumi secrets")
	node := r.resources["acl-node-app"]["nodeIdentities"].ArrayValue()[0].ObjectValue()
	assert.Equal(t, "app", node["nodeName"].StringValue())
	assert.Equal(t, "dc1", node["datacenter"].StringValue())
	svc := r.resources["acl-service-chromadb"]["serviceIdentities"].ArrayValue()[0].ObjectValue()
	assert.Equal(t, "chromadb", svc["serviceName"].StringValue())
	prov := r.resources["acl-consul"]
	assert.Equal(t, "10.0.1.4:8501", prov["address"].StringValue())
	assert.Equal(t, "https", prov["scheme"].StringValue())
	assert.True(t, prov["token"].IsSecret(), "the provider token must be sent as a secret")
	assert.Len(t, r.resources, 1+1+4, "the component, the provider and four tokens")
}
