package mesh

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/mesh/consul"
)

// ACLArgs binds the ACL system of a cluster that has been bootstrapped.
type ACLArgs struct {
	// ServerAddress is a Consul server's private address; its HTTPS API (8501) is used.
	ServerAddress pulumi.StringInput
	// CAPem is the cluster CA the server's certificate is checked against.
	CAPem pulumi.StringInput
	// ManagementToken is the bootstrap token the provider acts with; secret.
	ManagementToken pulumi.StringInput
	Datacenter      string
	// Nodes get one agent token each, from a node identity.
	Nodes []string
	// Services get one token each, from a service identity; it covers the service's sidecar.
	Services []string
	// After is the step after which the ACL system answers.
	After []pulumi.Resource
}

// ACL is the consul provider bound to the cluster and the tokens every agent and service needs.
type ACL struct {
	pulumi.ResourceState

	// Provider is the explicit consul provider every mesh resource uses.
	Provider *consul.Provider
	// NodeTokens and ServiceTokens map a node or service name to its token's secret ID (secret).
	NodeTokens    map[string]pulumi.StringOutput
	ServiceTokens map[string]pulumi.StringOutput
}

// NewACL registers the provider and the node and service tokens. Tokens exist before any service registers:
// with ACLs on, an agent that registers a service without its token stalls.
func NewACL(ctx *pulumi.Context, name string, args ACLArgs, opts ...pulumi.ResourceOption) (*ACL, error) {
	a := &ACL{NodeTokens: map[string]pulumi.StringOutput{}, ServiceTokens: map[string]pulumi.StringOutput{}}
	if err := ctx.RegisterComponentResource("ragmesh:mesh:ACL", name, a, opts...); err != nil {
		return nil, err
	}
	provider, err := consul.NewProvider(ctx, name+"-consul", &consul.ProviderArgs{
		Address:    pulumi.Sprintf("%s:8501", args.ServerAddress),
		Scheme:     pulumi.String("https"),
		CaPem:      args.CAPem.ToStringOutput().ToStringPtrOutput(),
		Datacenter: pulumi.String(args.Datacenter),
		Token:      args.ManagementToken.ToStringOutput().ToStringPtrOutput(),
	}, pulumi.Parent(a), pulumi.DependsOn(args.After))
	if err != nil {
		return nil, err
	}
	a.Provider = provider
	use := []pulumi.ResourceOption{pulumi.Parent(a), pulumi.Provider(provider), pulumi.DependsOn(args.After)}

	for _, node := range args.Nodes {
		token, err := consul.NewAclToken(ctx, name+"-node-"+node, &consul.AclTokenArgs{
			Description: pulumi.Sprintf("ragmesh: agent token of node %s", node),
			NodeIdentities: consul.AclTokenNodeIdentityArray{consul.AclTokenNodeIdentityArgs{
				NodeName: pulumi.String(node), Datacenter: pulumi.String(args.Datacenter),
			}},
		}, use...)
		if err != nil {
			return nil, err
		}
		a.NodeTokens[node] = secretID(ctx, token, provider)
	}
	for _, svc := range args.Services {
		token, err := consul.NewAclToken(ctx, name+"-service-"+svc, &consul.AclTokenArgs{
			Description: pulumi.Sprintf("ragmesh: service token of %s and its sidecar", svc),
			ServiceIdentities: consul.AclTokenServiceIdentityArray{consul.AclTokenServiceIdentityArgs{
				ServiceName: pulumi.String(svc),
			}},
		}, use...)
		if err != nil {
			return nil, err
		}
		a.ServiceTokens[svc] = secretID(ctx, token, provider)
	}
	return a, ctx.RegisterResourceOutputs(a, pulumi.Map{})
}

// secretID reads a token's secret through the provider; it stays a Pulumi secret.
func secretID(ctx *pulumi.Context, token *consul.AclToken, provider *consul.Provider) pulumi.StringOutput {
	result := consul.GetAclTokenSecretIdOutput(ctx, consul.GetAclTokenSecretIdOutputArgs{AccessorId: token.AccessorId},
		pulumi.Parent(token), pulumi.Provider(provider))
	return pulumi.ToSecret(result.SecretId()).(pulumi.StringOutput)
}
