package provisioners

import (
	"fmt"

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

// ConsulCluster is a Consul agent on every host: servers on the consul-server hosts, clients elsewhere.
type ConsulCluster struct {
	pulumi.ResourceState

	// CAPem is the cluster CA certificate (public); clients of the HTTPS API trust it.
	CAPem pulumi.StringOutput
	// ServerAddresses are the servers' private addresses.
	ServerAddresses pulumi.StringArrayOutput
	// Agents maps a host name to the step after which its agent is up and sees a leader.
	Agents map[string]pulumi.Resource
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

// NewConsulCluster installs, configures and starts Consul on every host. The first server makes the cluster
// CA and every server's certificate; the other servers receive theirs from it as a secret.
func NewConsulCluster(ctx *pulumi.Context, name string, args ConsulArgs, opts ...pulumi.ResourceOption) (*ConsulCluster, error) {
	c := &ConsulCluster{Agents: map[string]pulumi.Resource{}}
	if err := ctx.RegisterComponentResource("ragmesh:provisioners:ConsulCluster", name, c, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(c)
	servers := args.Hosts.ByRole(hosts.ConsulServer)
	c.ServerAddresses = args.Hosts.Addresses(hosts.ConsulServer).ToStringArrayOutput()

	retryJoin := c.ServerAddresses
	if args.RetryJoin != nil {
		retryJoin = pulumi.StringArray{args.RetryJoin}.ToStringArrayOutput()
	}
	// Every server's address, for the certificates made on the first server.
	var serverAddrs []any
	for _, s := range servers {
		serverAddrs = append(serverAddrs, s.PrivateAddress)
	}
	tlsServers := pulumi.All(serverAddrs...)

	var binarySHA string
	if args.Consul.Install == config.InstallUpload {
		sum, err := HashFile(args.Consul.Binary)
		if err != nil {
			return nil, fmt.Errorf("ragmesh:consulBinary: %w: build it with `make tools` or fix the path", err)
		}
		binarySHA = sum
	}

	var firstServerStart pulumi.Resource
	var tlsBundle pulumi.StringOutput
	// Servers first: the other servers need the first one's certificates, clients need a leader.
	ordered := append(append([]hosts.Host{}, servers...), args.Hosts.ByRole(hosts.App)...)
	ordered = append(ordered, args.Hosts.ByRole(hosts.Chroma)...)
	for _, h := range ordered {
		isServer := h.Role == hosts.ConsulServer
		prefix := h.Name + "-"

		prepare, err := run(ctx, prefix+"prepare", h, script{body: pulumi.String(mustRender("prepare-host.sh.tmpl", nil))}, child)
		if err != nil {
			return nil, err
		}
		afterPrepare := pulumi.DependsOn([]pulumi.Resource{prepare})

		var install pulumi.Resource
		installTriggers := pulumi.Array{pulumi.String(args.Consul.Install), pulumi.String(args.Consul.Version), pulumi.String(binarySHA)}
		if args.Consul.Install == config.InstallUpload {
			bin, err := upload(ctx, prefix+"consul-binary", h, pulumi.NewFileAsset(args.Consul.Binary), "consul", child, afterPrepare)
			if err != nil {
				return nil, err
			}
			body, err := Render("consul-install-upload.sh.tmpl", map[string]string{"BinarySHA256": binarySHA})
			if err != nil {
				return nil, err
			}
			install, err = run(ctx, prefix+"consul-install", h, script{body: pulumi.String(body), triggers: installTriggers}, child, pulumi.DependsOn([]pulumi.Resource{bin}))
			if err != nil {
				return nil, err
			}
		} else {
			body, err := Render("consul-install-apt.sh.tmpl", map[string]string{"Version": args.Consul.Version})
			if err != nil {
				return nil, err
			}
			if install, err = run(ctx, prefix+"consul-install", h, script{body: pulumi.String(body), triggers: installTriggers}, child, afterPrepare); err != nil {
				return nil, err
			}
		}

		data := pulumi.All(h.PrivateAddress, retryJoin).ApplyT(func(v []any) agentData {
			return agentData{
				NodeName: h.Name, Datacenter: args.Consul.Datacenter, Address: v[0].(string),
				Server: isServer, ServerCount: len(servers), UI: args.Consul.UI, RetryJoin: v[1].([]string),
			}
		})
		cfg, cfgHash, err := uploadText(ctx, prefix+"consul-config", h, renderOutput("consul.hcl.tmpl", data), "consul.hcl", child, afterPrepare)
		if err != nil {
			return nil, err
		}
		unit, unitHash, err := uploadText(ctx, prefix+"consul-unit", h, renderOutput("consul.service.tmpl", data), "consul.service", child, afterPrepare)
		if err != nil {
			return nil, err
		}
		startAfter := []pulumi.Resource{install, cfg, unit}

		if isServer {
			tls, err := c.serverTLS(ctx, h, servers, tlsServers, h.Name == servers[0].Name, &tlsBundle, args.Consul.Datacenter, install, child)
			if err != nil {
				return nil, err
			}
			startAfter = append(startAfter, tls...)
		} else if firstServerStart != nil {
			// A client can see a leader only once a server is up.
			startAfter = append(startAfter, firstServerStart)
		}

		body, err := Render("consul-start.sh.tmpl", map[string]any{"NodeName": h.Name, "WaitSeconds": 180})
		if err != nil {
			return nil, err
		}
		start, err := run(ctx, prefix+"consul-start", h, script{
			body:     pulumi.String(body),
			triggers: pulumi.Array{cfgHash, unitHash, pulumi.String(binarySHA), pulumi.String(args.Consul.Version)},
		}, child, pulumi.DependsOn(startAfter))
		if err != nil {
			return nil, err
		}
		if isServer && firstServerStart == nil {
			firstServerStart = start
		}
		stop, err := Render("consul-stop.sh.tmpl", nil)
		if err != nil {
			return nil, err
		}
		if _, err := teardown(ctx, prefix+"consul-teardown", h, stop, child, pulumi.DependsOn([]pulumi.Resource{start})); err != nil {
			return nil, err
		}
		c.Agents[h.Name] = start
	}
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{
		"caPem":           c.CAPem,
		"serverAddresses": c.ServerAddresses,
	})
}

// serverTLS puts the server certificate in place before the agent starts: made on the first server, handed
// to the others inside their (secret) import script.
func (c *ConsulCluster) serverTLS(ctx *pulumi.Context, h hosts.Host, servers []hosts.Host, addresses pulumi.ArrayOutput,
	first bool, bundle *pulumi.StringOutput, datacenter string, install pulumi.Resource, child pulumi.ResourceOption) ([]pulumi.Resource, error) {
	names := make([]string, len(servers))
	for i, s := range servers {
		names[i] = s.Name
	}
	if first {
		list := addresses.ApplyT(func(addrs []any) []tlsServer {
			out := make([]tlsServer, len(addrs))
			for i, a := range addrs {
				out[i] = tlsServer{Name: names[i], Address: a.(string)}
			}
			return out
		})
		data := func(tmpl string) pulumi.StringOutput {
			return renderOutput(tmpl, list.ApplyT(func(s any) map[string]any {
				return map[string]any{"Servers": s.([]tlsServer), "Self": h.Name, "Datacenter": datacenter}
			}))
		}
		ca, err := run(ctx, h.Name+"-consul-tls", h, script{body: data("consul-tls-ca.sh.tmpl")}, child, pulumi.DependsOn([]pulumi.Resource{install}))
		if err != nil {
			return nil, err
		}
		c.CAPem = ca.Stdout
		if len(servers) == 1 {
			return []pulumi.Resource{ca}, nil
		}
		export, err := run(ctx, h.Name+"-consul-tls-export", h, script{body: data("consul-tls-export.sh.tmpl"), secret: true},
			child, pulumi.DependsOn([]pulumi.Resource{ca}))
		if err != nil {
			return nil, err
		}
		*bundle = pulumi.ToSecret(export.Stdout).(pulumi.StringOutput)
		return []pulumi.Resource{ca}, nil
	}
	body := renderOutput("consul-tls-import.sh.tmpl", bundle.ApplyT(func(b string) map[string]any {
		return map[string]any{"Bundle": b, "Self": h.Name}
	}))
	imp, err := run(ctx, h.Name+"-consul-tls", h, script{body: pulumi.ToSecret(body).(pulumi.StringOutput), secret: true}, child, pulumi.DependsOn([]pulumi.Resource{install}))
	if err != nil {
		return nil, err
	}
	return []pulumi.Resource{imp}, nil
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
