package provisioners

import (
	"fmt"

	"github.com/pulumi/pulumi-command/sdk/go/command/remote"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/config"
	"github.com/ragmesh/ragmesh/hosts"
)

// ConsulArgs configures the Consul agents of every host.
type ConsulArgs struct {
	Hosts  hosts.Set
	Consul config.Consul
	// RetryJoin replaces joining by the servers' addresses, e.g. with a cloud auto-join string on Azure.
	RetryJoin pulumi.StringInput
}

// ConsulServers is the Consul server quorum. Its first server makes the cluster's secrets once — the gossip
// key, the CA with every server's certificate, the ACL management token — and keeps them root-only; the program
// holds them only as Pulumi secrets.
type ConsulServers struct {
	pulumi.ResourceState

	// CAPem is the cluster CA certificate (public); agents and HTTPS API clients trust it.
	CAPem pulumi.StringOutput
	// GossipKey encrypts gossip; secret.
	GossipKey pulumi.StringOutput
	// ManagementToken is the bootstrap token of the ACL system; secret.
	ManagementToken pulumi.StringOutput
	// Addresses are the servers' private addresses.
	Addresses pulumi.StringArrayOutput
	// Up maps a server's name to the step after which it runs and sees a leader.
	Up map[string]pulumi.Resource
	// Ready is the step after which the ACL system answers (the bootstrap).
	Ready pulumi.Resource

	args     ConsulArgs
	installs map[string]*remote.Command
}

// ConsulAgents completes every host's agent once the ACL system has made the node tokens: servers get their
// agent token; clients are configured with theirs and started.
type ConsulAgents struct {
	pulumi.ResourceState

	// Up maps a host name to the step after which its agent runs with its token and sees a leader.
	Up map[string]pulumi.Resource
}

// agentData fills consul.hcl.tmpl and consul.service.tmpl.
type agentData struct {
	NodeName, Datacenter, Address string
	Server                        bool
	ServerCount                   int
	UI                            bool
	RetryJoin                     []string
}

type tlsServer struct{ Name, Address string }

// NewConsulServers installs, configures and starts the servers and bootstraps the ACL system. Clients are
// prepared and installed too (in parallel), but start only in NewConsulAgents, once their tokens exist.
func NewConsulServers(ctx *pulumi.Context, name string, args ConsulArgs, opts ...pulumi.ResourceOption) (*ConsulServers, error) {
	c := &ConsulServers{Up: map[string]pulumi.Resource{}, args: args, installs: map[string]*remote.Command{}}
	if err := ctx.RegisterComponentResource("ragmesh:provisioners:ConsulServers", name, c, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(c)
	servers := args.Hosts.ByRole(hosts.ConsulServer)
	c.Addresses = args.Hosts.Addresses(hosts.ConsulServer).ToStringArrayOutput()

	for _, h := range args.Hosts {
		install, err := installConsul(ctx, h, args.Consul, child)
		if err != nil {
			return nil, err
		}
		c.installs[h.Name] = install
	}

	first := servers[0]
	keygen, err := run(ctx, first.Name+"-consul-keygen", first, script{body: pulumi.String(mustRender("consul-keygen.sh.tmpl", nil)), secret: true},
		child, pulumi.DependsOn([]pulumi.Resource{c.installs[first.Name]}))
	if err != nil {
		return nil, err
	}
	c.GossipKey = secretStdout(keygen)

	var serverAddrs []any
	for _, s := range servers {
		serverAddrs = append(serverAddrs, s.PrivateAddress)
	}
	tlsList := pulumi.All(serverAddrs...).ApplyT(func(addrs []any) []tlsServer {
		out := make([]tlsServer, len(addrs))
		for i, a := range addrs {
			out[i] = tlsServer{Name: servers[i].Name, Address: a.(string)}
		}
		return out
	})
	tlsData := func(tmpl string) pulumi.StringOutput {
		return renderOutput(tmpl, tlsList.ApplyT(func(s any) map[string]any {
			return map[string]any{"Servers": s.([]tlsServer), "Self": first.Name, "Datacenter": args.Consul.Datacenter}
		}))
	}
	ca, err := run(ctx, first.Name+"-consul-tls", first, script{body: tlsData("consul-tls-ca.sh.tmpl")}, child,
		pulumi.DependsOn([]pulumi.Resource{c.installs[first.Name]}))
	if err != nil {
		return nil, err
	}
	// The CA certificate is public: it is secret only because the command that printed it had secret inputs.
	c.CAPem = pulumi.Unsecret(ca.Stdout).(pulumi.StringOutput)
	var bundle pulumi.StringOutput
	if len(servers) > 1 {
		export, err := run(ctx, first.Name+"-consul-tls-export", first, script{body: tlsData("consul-tls-export.sh.tmpl"), secret: true},
			child, pulumi.DependsOn([]pulumi.Resource{ca}))
		if err != nil {
			return nil, err
		}
		bundle = secretStdout(export)
	}

	var allUp []pulumi.Resource
	for i, h := range servers {
		var tls pulumi.Resource = ca
		if i > 0 {
			body := renderOutput("consul-tls-import.sh.tmpl", bundle.ApplyT(func(b string) map[string]any {
				return map[string]any{"Bundle": b, "Self": h.Name}
			}))
			if tls, err = run(ctx, h.Name+"-consul-tls", h, script{body: body, secret: true}, child,
				pulumi.DependsOn([]pulumi.Resource{c.installs[h.Name]})); err != nil {
				return nil, err
			}
		}
		up, err := c.startAgent(ctx, h, pulumi.String("").ToStringOutput(), []pulumi.Resource{keygen, tls}, child)
		if err != nil {
			return nil, err
		}
		c.Up[h.Name] = up
		allUp = append(allUp, up)
	}

	bootstrap, err := run(ctx, first.Name+"-consul-acl-bootstrap", first, script{body: pulumi.String(mustRender("consul-acl-bootstrap.sh.tmpl", nil)), secret: true},
		child, pulumi.DependsOn(allUp))
	if err != nil {
		return nil, err
	}
	c.ManagementToken = secretStdout(bootstrap)
	c.Ready = bootstrap
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{"caPem": c.CAPem, "serverAddresses": c.Addresses})
}

// NewConsulAgents hands every agent its token (a map from host name to the node token's secret) and starts
// the clients with theirs, so they never run unauthenticated.
func NewConsulAgents(ctx *pulumi.Context, name string, servers *ConsulServers, nodeTokens map[string]pulumi.StringOutput, opts ...pulumi.ResourceOption) (*ConsulAgents, error) {
	a := &ConsulAgents{Up: map[string]pulumi.Resource{}}
	if err := ctx.RegisterComponentResource("ragmesh:provisioners:ConsulAgents", name, a, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(a)
	for _, h := range servers.args.Hosts {
		token, ok := nodeTokens[h.Name]
		if !ok {
			return nil, fmt.Errorf("no agent token for host %s", h.Name)
		}
		if h.Role == hosts.ConsulServer {
			body := renderOutput("consul-agent-token.sh.tmpl", token.ApplyT(func(t string) map[string]string { return map[string]string{"AgentToken": t} }))
			step, err := run(ctx, h.Name+"-consul-agent-token", h, script{body: body, secret: true}, child,
				pulumi.DependsOn([]pulumi.Resource{servers.Up[h.Name]}))
			if err != nil {
				return nil, err
			}
			a.Up[h.Name] = step
			continue
		}
		up, err := servers.startAgent(ctx, h, token, []pulumi.Resource{servers.Ready}, child)
		if err != nil {
			return nil, err
		}
		a.Up[h.Name] = up
	}
	return a, ctx.RegisterResourceOutputs(a, pulumi.Map{})
}

// installConsul prepares the host and installs the consul binary (uploaded or from apt).
func installConsul(ctx *pulumi.Context, h hosts.Host, cfg config.Consul, opts ...pulumi.ResourceOption) (*remote.Command, error) {
	prepare, err := run(ctx, h.Name+"-prepare", h, script{body: pulumi.String(mustRender("prepare-host.sh.tmpl", nil))}, opts...)
	if err != nil {
		return nil, err
	}
	afterPrepare := append(opts, pulumi.DependsOn([]pulumi.Resource{prepare}))
	if cfg.Install == config.InstallApt {
		body, err := Render("consul-install-apt.sh.tmpl", map[string]string{"Version": cfg.Version})
		if err != nil {
			return nil, err
		}
		return run(ctx, h.Name+"-consul-install", h, script{body: pulumi.String(body)}, afterPrepare...)
	}
	sum, err := HashFile(cfg.Binary)
	if err != nil {
		return nil, fmt.Errorf("ragmesh:consulBinary: %w: build it with `make tools` or fix the path", err)
	}
	bin, err := upload(ctx, h.Name+"-consul-binary", h, pulumi.NewFileAsset(cfg.Binary), "consul", afterPrepare...)
	if err != nil {
		return nil, err
	}
	body, err := Render("consul-install-upload.sh.tmpl", map[string]string{"BinarySHA256": sum})
	if err != nil {
		return nil, err
	}
	return run(ctx, h.Name+"-consul-install", h, script{body: pulumi.String(body)}, append(opts, pulumi.DependsOn([]pulumi.Resource{bin}))...)
}

// startAgent uploads the agent's config and unit, installs its secrets (gossip key, CA, agent token when
// given) and starts it. A change of any of these re-runs exactly the steps that use it.
func (c *ConsulServers) startAgent(ctx *pulumi.Context, h hosts.Host, agentToken pulumi.StringOutput, after []pulumi.Resource, child pulumi.ResourceOption) (pulumi.Resource, error) {
	args := c.args
	isServer := h.Role == hosts.ConsulServer
	retryJoin := c.Addresses
	if args.RetryJoin != nil {
		retryJoin = pulumi.StringArray{args.RetryJoin}.ToStringArrayOutput()
	}
	data := pulumi.All(h.PrivateAddress, retryJoin).ApplyT(func(v []any) agentData {
		return agentData{
			NodeName: h.Name, Datacenter: args.Consul.Datacenter, Address: v[0].(string), Server: isServer,
			ServerCount: len(args.Hosts.ByRole(hosts.ConsulServer)), UI: args.Consul.UI, RetryJoin: v[1].([]string),
		}
	})
	install := c.installs[h.Name]
	cfg, cfgHash, err := uploadText(ctx, h.Name+"-consul-config", h, renderOutput("consul.hcl.tmpl", data), "consul.hcl", child, pulumi.DependsOn([]pulumi.Resource{install}))
	if err != nil {
		return nil, err
	}
	unit, unitHash, err := uploadText(ctx, h.Name+"-consul-unit", h, renderOutput("consul.service.tmpl", data), "consul.service", child, pulumi.DependsOn([]pulumi.Resource{install}))
	if err != nil {
		return nil, err
	}
	caPem := pulumi.String("").ToStringOutput()
	if !isServer {
		caPem = c.CAPem // servers get theirs with their certificate
	}
	secrets := renderOutput("consul-secrets.sh.tmpl", pulumi.All(c.GossipKey, caPem, agentToken).ApplyT(func(v []any) map[string]string {
		return map[string]string{"GossipKey": v[0].(string), "CAPem": v[1].(string), "AgentToken": v[2].(string)}
	}))
	sec, err := run(ctx, h.Name+"-consul-secrets", h, script{body: secrets, secret: true}, child,
		pulumi.DependsOn(append([]pulumi.Resource{install}, after...)))
	if err != nil {
		return nil, err
	}
	body, err := Render("consul-start.sh.tmpl", map[string]any{"NodeName": h.Name, "WaitSeconds": 180})
	if err != nil {
		return nil, err
	}
	start, err := run(ctx, h.Name+"-consul-start", h, script{
		body:     pulumi.String(body),
		triggers: pulumi.Array{cfgHash, unitHash, install.ID(), sec.ID()},
	}, child, pulumi.DependsOn([]pulumi.Resource{cfg, unit, sec}))
	if err != nil {
		return nil, err
	}
	stop, err := Render("consul-stop.sh.tmpl", nil)
	if err != nil {
		return nil, err
	}
	if _, err := teardown(ctx, h.Name+"-consul-teardown", h, stop, child, pulumi.DependsOn([]pulumi.Resource{start})); err != nil {
		return nil, err
	}
	return start, nil
}

// secretStdout is a command's output, kept secret.
func secretStdout(cmd *remote.Command) pulumi.StringOutput {
	return pulumi.ToSecret(cmd.Stdout).(pulumi.StringOutput)
}

// renderOutput renders a template once its data is known.
func renderOutput(name string, data pulumi.Output) pulumi.StringOutput {
	return data.ApplyT(func(v any) (string, error) { return Render(name, v) }).(pulumi.StringOutput)
}

// mustRender renders a template that takes no run-time data; a failure is a defect in the template itself,
// which the template tests catch.
func mustRender(name string, data any) string {
	s, err := Render(name, data)
	if err != nil {
		panic(err)
	}
	return s
}
