// Package mesh holds the Consul-side policy of the stack: the consul provider bound to a server, the ACL tokens
// of every agent and service, and the intentions that say who may call whom. The default is deny: an explicit deny-all entry for every service,
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

// Args says which edges the mesh allows, through the cluster's consul provider.
type Args struct {
	Provider   *consul.Provider
	Intentions []config.Intention
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
	use := []pulumi.ResourceOption{pulumi.Parent(m), pulumi.Provider(args.Provider)}

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
