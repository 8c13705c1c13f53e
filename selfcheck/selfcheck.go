package selfcheck

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"

	"github.com/pulumi/pulumi-command/sdk/go/command/remote"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/app"
	"github.com/ragmesh/ragmesh/config"
	"github.com/ragmesh/ragmesh/hosts"
	"github.com/ragmesh/ragmesh/mesh/consul"
	"github.com/ragmesh/ragmesh/provisioners"
)

// Where the agent API and the tokens are on a host (see provisioners' consul templates).
const (
	ConsulSocket   = "/run/consul/http.sock"
	ConsulHTTP     = "http://127.0.0.1:8500"
	TokenDir       = "/etc/consul.d/tokens"
	TokenFile      = TokenDir + "/selfcheck.token"
	AgentTokenFile = TokenDir + "/agent.token"
	// ChromaUnit is the systemd unit ChromaDB runs as on the chroma host (both runtimes).
	ChromaUnit = "chroma.service"
	// StackAllowDescription is what mesh writes on every allow it declares.
	StackAllowDescription = "allowed by ragmesh:intentions"
)

// Args says what the self-check proves and after what.
type Args struct {
	Hosts      hosts.Set
	Intentions []config.Intention
	// Enabled is ragmesh:selfCheck; off, nothing runs and the output says so (the targets stay, for diagnose).
	Enabled bool
	// Checked are the steps whose work the check proves (agents, the app's and chroma's registrations, the
	// intentions). It runs after all of them and again whenever one of them is replaced.
	Checked []pulumi.Resource
	// Provider, when the cluster has ACLs, makes the check's own token: read everything, write only the probe.
	Provider *consul.Provider
}

// SelfCheck is the verification step: one check command per app host.
type SelfCheck struct {
	pulumi.ResourceState

	// Output is the `selfCheck` stack output: enabled, passed, checkedAt, per-host results, and the targets
	// `make diagnose` runs the same script on.
	Output pulumi.MapOutput
}

// Target is one app host as the operator's diagnosis reaches it, with the script parameters for it.
type Target struct {
	Host    string `json:"host"`
	Address string `json:"address"`
	User    string `json:"user"`
	Port    int    `json:"port"`
	Jump    *Jump  `json:"jump,omitempty"`
	Params  Params `json:"params"`
}

// Jump is the bastion a target is reached through.
type Jump struct {
	Host string `json:"host"`
	User string `json:"user"`
	Port int    `json:"port"`
}

// Output is the shape of the `selfCheck` stack output.
type Output struct {
	Enabled   bool              `json:"enabled"`
	Passed    bool              `json:"passed"`
	CheckedAt string            `json:"checkedAt,omitempty"`
	Hosts     map[string]Result `json:"hosts,omitempty"`
	Targets   []Target          `json:"targets"`
}

// ParamsFor is the script's view of the mesh from app host h.
func ParamsFor(set hosts.Set, h hosts.Host, chromaAddress string, intentions []config.Intention) Params {
	chroma := set.ByRole(hosts.Chroma)[0]
	p := Params{
		Host: h.Name, ConsulSocket: ConsulSocket, ConsulHTTP: ConsulHTTP,
		TokenFiles:   []string{TokenFile, AgentTokenFile},
		AppServiceID: app.Service + "-" + h.Name, UpstreamPort: app.UpstreamPort,
		Source: app.Service, Destination: provisioners.ChromaService,
		ChromaNode: chroma.Name, ChromaServiceID: provisioners.ChromaService + "-" + chroma.Name,
		ChromaAddress: chromaAddress, ChromaPort: provisioners.ChromaPort, ChromaUnit: ChromaUnit,
		HealthPath:            provisioners.ChromaCheckPath,
		ExpectAllowed:         Allowed(intentions, app.Service, provisioners.ChromaService),
		StackAllowDescription: StackAllowDescription,
		ProbeService:          ProbeService, RetrySeconds: DefaultRetrySeconds,
	}
	for _, x := range set {
		p.Nodes = append(p.Nodes, x.Name)
	}
	for _, x := range set.ByRole(hosts.ConsulServer) {
		p.Servers = append(p.Servers, x.Name)
	}
	return p
}

// New declares the check on every app host, after everything it checks.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*SelfCheck, error) {
	s := &SelfCheck{}
	if err := ctx.RegisterComponentResource("ragmesh:selfcheck:SelfCheck", name, s, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(s)
	chroma := args.Hosts.ByRole(hosts.Chroma)[0]
	appHosts := args.Hosts.ByRole(hosts.App)

	var targets []any
	for _, h := range appHosts {
		targets = append(targets, target(args, h, chroma))
	}
	if !args.Enabled {
		s.Output = pulumi.All(targets...).ApplyT(func(ts []any) (map[string]any, error) {
			return asMap(Output{Enabled: false, Targets: targetsOf(ts)})
		}).(pulumi.MapOutput)
		return s, ctx.RegisterResourceOutputs(s, pulumi.Map{"selfCheck": s.Output})
	}

	var token pulumi.StringOutput
	if args.Provider != nil {
		t, err := newToken(ctx, name, args.Provider, child)
		if err != nil {
			return nil, err
		}
		token = t
	}
	// What the check proves, by identity: a replaced step has a new ID, so the check runs again.
	triggers := pulumi.Array{pulumi.String(intentionsKey(args.Intentions))}
	for _, r := range args.Checked {
		if cr, ok := r.(pulumi.CustomResource); ok {
			triggers = append(triggers, cr.ID())
		}
	}

	var stdouts []any
	for _, h := range appHosts {
		script := chroma.PrivateAddress.ApplyT(func(addr string) (string, error) {
			return Render(ParamsFor(args.Hosts, h, addr, args.Intentions))
		}).(pulumi.StringOutput)
		deps := append(append([]pulumi.Resource{}, args.Checked...), h.Ready...)
		if args.Provider != nil {
			install, err := installToken(ctx, h, token, child, pulumi.DependsOn(append(append([]pulumi.Resource{}, args.Checked...), h.Ready...)))
			if err != nil {
				return nil, err
			}
			deps = append(deps, install)
		}
		cmd, err := remote.NewCommand(ctx, h.Name+"-selfcheck", &remote.CommandArgs{
			Connection: h.Connection,
			Create:     pulumi.String(Command("check")),
			Stdin:      script,
			Triggers:   append(pulumi.Array{script.ApplyT(hashString)}, triggers...),
			// The report (stderr) is the log and, on failure, the error; the JSON result (stdout) is the output.
			Logging: remote.LoggingStderr,
		}, child, pulumi.DependsOn(deps))
		if err != nil {
			return nil, err
		}
		// The script prints no secret; its stdout is secret only because the connection carries the key.
		stdouts = append(stdouts, pulumi.Unsecret(cmd.Stdout))
	}
	names := make([]string, len(appHosts))
	for i, h := range appHosts {
		names[i] = h.Name
	}
	s.Output = pulumi.All(pulumi.All(targets...), pulumi.All(stdouts...)).ApplyT(func(v []any) (map[string]any, error) {
		out := Output{Enabled: true, Passed: true, Hosts: map[string]Result{}, Targets: targetsOf(v[0].([]any))}
		for i, raw := range v[1].([]any) {
			r, err := ParseResult(raw.(string))
			if err != nil {
				return nil, err
			}
			out.Hosts[names[i]] = r
			out.Passed = out.Passed && r.Passed
			if r.CheckedAt > out.CheckedAt {
				out.CheckedAt = r.CheckedAt
			}
		}
		return asMap(out)
	}).(pulumi.MapOutput)
	return s, ctx.RegisterResourceOutputs(s, pulumi.Map{"selfCheck": s.Output})
}

// target reads how h is reached from its connection (never the key) and the script parameters for it.
func target(args Args, h hosts.Host, chroma hosts.Host) pulumi.Output {
	conn := h.Connection.ToConnectionOutput()
	t := pulumi.All(conn, chroma.PrivateAddress).ApplyT(func(v []any) Target {
		c := v[0].(remote.Connection)
		t := Target{Host: h.Name, Address: c.Host, User: "root", Port: 22,
			Params: ParamsFor(args.Hosts, h, v[1].(string), args.Intentions)}
		if c.User != nil {
			t.User = *c.User
		}
		if c.Port != nil {
			t.Port = int(*c.Port)
		}
		if p := c.Proxy; p != nil {
			t.Jump = &Jump{Host: p.Host, User: "root", Port: 22}
			if p.User != nil {
				t.Jump.User = *p.User
			}
			if p.Port != nil {
				t.Jump.Port = int(*p.Port)
			}
		}
		return t
	})
	return pulumi.Unsecret(t)
}

func targetsOf(vs []any) []Target {
	out := make([]Target, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.(Target))
	}
	return out
}

// asMap turns the output into plain JSON values, the shape a stack output is read back in.
func asMap(o Output) (map[string]any, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	return m, json.Unmarshal(b, &m)
}

// intentionsKey is the configured edges in a stable order.
func intentionsKey(intentions []config.Intention) string {
	var edges []string
	for _, i := range intentions {
		edges = append(edges, i.Source+" -> "+i.Destination)
	}
	sort.Strings(edges)
	return strings.Join(edges, ", ")
}

func hashString(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
