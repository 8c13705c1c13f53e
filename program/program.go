// Package program is the ragmesh stack program: config → hosts (Azure or given) → Consul, Chroma and the app's
// mesh registration on them → intentions → stack outputs. main runs it; tests and Automation API programs call
// Run directly, so they exercise exactly what `pulumi up` does.
package program

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/app"
	"github.com/ragmesh/ragmesh/config"
	"github.com/ragmesh/ragmesh/hosts"
	"github.com/ragmesh/ragmesh/infra"
	"github.com/ragmesh/ragmesh/mesh"
	"github.com/ragmesh/ragmesh/provisioners"
)

// Run declares the whole stack. Configuration is read and validated first: on any error nothing is created.
func Run(ctx *pulumi.Context) error {
	cfg, err := config.Load(ctx)
	if err != nil {
		return err
	}

	var set hosts.Set
	var retryJoin pulumi.StringInput
	switch cfg.HostSource {
	case config.SourceAzure:
		network, azureHosts, err := infra.New(ctx, cfg)
		if err != nil {
			return err
		}
		set, retryJoin = azureHosts, pulumi.String(network.RetryJoin)
		ctx.Export(OutputResourceGroupName, network.ResourceGroupName)
		ctx.Export(OutputVnetID, network.VnetID)
		ctx.Export(OutputAppSubnetID, network.AppSubnetID)
		ctx.Export(OutputDataSubnetID, network.DataSubnetID)
	case config.SourceGiven:
		set = hosts.Given(cfg.Hosts, cfg.SSHPrivateKey)
	}
	if err := set.Check(); err != nil {
		return err
	}

	cluster, err := provisioners.NewConsulCluster(ctx, "consul", provisioners.ConsulArgs{
		Hosts: set, Consul: cfg.Consul, RetryJoin: retryJoin,
	})
	if err != nil {
		return err
	}
	chromaHost := set.ByRole(hosts.Chroma)[0]
	if _, err := provisioners.NewChroma(ctx, "chroma", provisioners.ChromaArgs{
		Host: chromaHost, Agent: cluster.Agents[chromaHost.Name], Chroma: cfg.Chroma,
	}); err != nil {
		return err
	}
	if _, err := app.New(ctx, "app", app.Args{Hosts: set.ByRole(hosts.App), Agents: cluster.Agents}); err != nil {
		return err
	}
	servers := set.ByRole(hosts.ConsulServer)
	var serversUp []pulumi.Resource
	for _, s := range servers {
		serversUp = append(serversUp, cluster.Agents[s.Name])
	}
	policy, err := mesh.New(ctx, "mesh", mesh.Args{
		ServerAddress: servers[0].PrivateAddress,
		CAPem:         cluster.CAPem,
		Datacenter:    cfg.Consul.Datacenter,
		Intentions:    cfg.Intentions,
		After:         serversUp,
	})
	if err != nil {
		return err
	}

	ctx.Export(OutputDatacenter, pulumi.String(cfg.Consul.Datacenter))
	ctx.Export(OutputConsulServerAddresses, set.Addresses(hosts.ConsulServer))
	ctx.Export(OutputAppAddresses, set.Addresses(hosts.App))
	ctx.Export(OutputChromaAddress, chromaHost.PrivateAddress)
	// The CA certificate is public; it is secret only because the command that printed it had secret inputs.
	ctx.Export(OutputConsulCACert, pulumi.Unsecret(cluster.CAPem))
	ctx.Export(OutputChromaUpstream, pulumi.String(app.UpstreamAddress))
	ctx.Export(OutputAppEnvFile, pulumi.String(app.EnvFile))
	ctx.Export(OutputMeshServices, pulumi.StringMap{"app": pulumi.String(app.Service), "vectorStore": pulumi.String(provisioners.ChromaService)})
	ctx.Export(OutputAllowedIntentions, policy.Allowed)
	return nil
}
