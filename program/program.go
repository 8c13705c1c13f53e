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
	"github.com/ragmesh/ragmesh/selfcheck"
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

	servers, err := provisioners.NewConsulServers(ctx, "consul", provisioners.ConsulArgs{
		Hosts: set, Consul: cfg.Consul, RetryJoin: retryJoin,
	})
	if err != nil {
		return err
	}
	var nodes []string
	for _, h := range set {
		nodes = append(nodes, h.Name)
	}
	acl, err := mesh.NewACL(ctx, "acl", mesh.ACLArgs{
		ServerAddress:   set.ByRole(hosts.ConsulServer)[0].PrivateAddress,
		CAPem:           servers.CAPem,
		ManagementToken: servers.ManagementToken,
		Datacenter:      cfg.Consul.Datacenter,
		Nodes:           nodes,
		Services:        []string{app.Service, provisioners.ChromaService},
		After:           []pulumi.Resource{servers.Ready},
	})
	if err != nil {
		return err
	}
	agents, err := provisioners.NewConsulAgents(ctx, "consul-agents", servers, acl.NodeTokens)
	if err != nil {
		return err
	}
	chromaHost := set.ByRole(hosts.Chroma)[0]
	chroma, err := provisioners.NewChroma(ctx, "chroma", provisioners.ChromaArgs{
		Host: chromaHost, Agent: agents.Up[chromaHost.Name], Chroma: cfg.Chroma,
		Token: acl.ServiceTokens[provisioners.ChromaService],
	})
	if err != nil {
		return err
	}
	django, err := app.New(ctx, "app", app.Args{
		Hosts: set.ByRole(hosts.App), Agents: agents.Up, Token: acl.ServiceTokens[app.Service],
	})
	if err != nil {
		return err
	}
	policy, err := mesh.New(ctx, "mesh", mesh.Args{Provider: acl.Provider, Intentions: cfg.Intentions})
	if err != nil {
		return err
	}
	// Last: prove the path and the denies from every app host, after everything they depend on.
	checked := append([]pulumi.Resource{chroma.Registered, policy}, django.Registered...)
	for _, h := range set {
		checked = append(checked, agents.Up[h.Name])
	}
	check, err := selfcheck.New(ctx, "selfcheck", selfcheck.Args{
		Hosts: set, Intentions: cfg.Intentions, Enabled: cfg.SelfCheck, Checked: checked, Provider: acl.Provider,
	})
	if err != nil {
		return err
	}
	ctx.Export(OutputSelfCheck, check.Output)
	if cfg.ExportManagementToken {
		ctx.Export(OutputManagementToken, servers.ManagementToken)
	}

	ctx.Export(OutputDatacenter, pulumi.String(cfg.Consul.Datacenter))
	ctx.Export(OutputConsulServerAddresses, set.Addresses(hosts.ConsulServer))
	ctx.Export(OutputAppAddresses, set.Addresses(hosts.App))
	ctx.Export(OutputChromaAddress, chromaHost.PrivateAddress)
	ctx.Export(OutputConsulCACert, servers.CAPem)
	ctx.Export(OutputChromaUpstream, pulumi.String(app.UpstreamAddress))
	ctx.Export(OutputAppEnvFile, pulumi.String(app.EnvFile))
	ctx.Export(OutputMeshServices, pulumi.StringMap{"app": pulumi.String(app.Service), "vectorStore": pulumi.String(provisioners.ChromaService)})
	ctx.Export(OutputAllowedIntentions, policy.Allowed)
	return nil
}
