// Package mesh holds the Consul-side policy of the stack: the consul provider bound to a server, and the
// intentions that say who may call whom. The default is deny: an explicit deny-all entry for every service,
// and one entry per destination listing its allowed callers.
package mesh

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/config"
	"github.com/ragmesh/ragmesh/mesh/consul"
)

// Wildcard is Consul's name for "every service".
const Wildcard = "*"

// Args binds the mesh policy to a cluster.
type Args struct {
	// ServerAddress is a Consul server's private address; its HTTPS API (8501) is used.
	ServerAddress pulumi.StringInput
	// CAPem is the cluster CA the server's certificate is checked against.
	CAPem      pulumi.StringInput
	Datacenter string
	Intentions []config.Intention
	// After are the steps after which the servers answer.
	After []pulumi.Resource
}

// Mesh is the cluster's intentions, managed through an explicit consul provider.
type Mesh struct {
	pulumi.ResourceState

	// Allowed lists the allowed edges as "source -> destination".
	Allowed pulumi.StringArrayOutput
}

// Destinations groups allowed callers by destination, in a stable order.
func Destinations(edges []config.Intention) (names []string, callers map[string][]string) {
	callers = map[string][]string{}
	for _, e := range edges {
		callers[e.Destination] = append(callers[e.Destination], e.Source)
	}
	for d := range callers {
		names = append(names, d)
		sort.Strings(callers[d])
	}
	sort.Strings(names)
	return names, callers
}

// New registers the provider and the intentions.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Mesh, error) {
	m := &Mesh{}
	if err := ctx.RegisterComponentResource("ragmesh:mesh:Intentions", name, m, opts...); err != nil {
		return nil, err
	}
	provider, err := consul.NewProvider(ctx, name+"-consul", &consul.ProviderArgs{
		Address:    pulumi.Sprintf("%s:8501", args.ServerAddress),
		Scheme:     pulumi.String("https"),
		CaPem:      args.CAPem.ToStringOutput().ToStringPtrOutput(),
		Datacenter: pulumi.String(args.Datacenter),
	}, pulumi.Parent(m), pulumi.DependsOn(args.After))
	if err != nil {
		return nil, err
	}
	use := []pulumi.ResourceOption{pulumi.Parent(m), pulumi.Provider(provider), pulumi.DependsOn(args.After)}

	if _, err := consul.NewConfigEntryServiceIntentions(ctx, name+"-deny-all", &consul.ConfigEntryServiceIntentionsArgs{
		Name: pulumi.String(Wildcard),
		Sources: consul.ConfigEntryServiceIntentionsSourceArray{consul.ConfigEntryServiceIntentionsSourceArgs{
			Name:        pulumi.String(Wildcard),
			Action:      pulumi.String("deny"),
			Description: pulumi.String("default deny: only the intentions in stack config are allowed"),
		}},
	}, use...); err != nil {
		return nil, err
	}

	names, callers := Destinations(args.Intentions)
	var allowed pulumi.StringArray
	for _, dest := range names {
		var sources consul.ConfigEntryServiceIntentionsSourceArray
		for _, src := range callers[dest] {
			sources = append(sources, consul.ConfigEntryServiceIntentionsSourceArgs{
				Name:        pulumi.String(src),
				Action:      pulumi.String("allow"),
				Description: pulumi.String("allowed by ragmesh:intentions"),
			})
			allowed = append(allowed, pulumi.String(fmt.Sprintf("%s -> %s", src, dest)))
		}
		if _, err := consul.NewConfigEntryServiceIntentions(ctx, name+"-"+dest, &consul.ConfigEntryServiceIntentionsArgs{
			Name:    pulumi.String(dest),
			Sources: sources,
		}, use...); err != nil {
			return nil, err
		}
	}
	m.Allowed = allowed.ToStringArrayOutput()
	return m, ctx.RegisterResourceOutputs(m, pulumi.Map{"allowed": m.Allowed})
}
