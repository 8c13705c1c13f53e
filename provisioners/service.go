package provisioners

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/hosts"
)

// SidecarPort is the sidecar's public (mTLS) listener on every host: the first port of the 21000-21255 range
// the network rules open between mesh hosts.
const SidecarPort = 21000

// Upstream is a mesh service a sidecar exposes on a loopback port of its host.
type Upstream struct {
	Service   string
	LocalPort int
}

// MeshServiceArgs describes one service instance and its sidecar on one host.
type MeshServiceArgs struct {
	Host hosts.Host
	// Agent is the step after which the host's Consul agent is up.
	Agent pulumi.Resource
	// Token is the secret of the service identity's ACL token; it covers the sidecar too.
	Token pulumi.StringOutput
	// Name is the mesh identity (e.g. chromadb); ID is unique per instance (name + host).
	Name, ID string
	// Port is where the service listens on 127.0.0.1; CheckPath is its HTTP health path.
	Port      int
	CheckPath string
	Upstreams []Upstream
	// WaitHealthy makes registration wait until the service passes its checks (it must be running already).
	WaitHealthy bool
	// After are further steps that must come first (e.g. the service itself being installed).
	After []pulumi.Resource
}

// MeshService registers a service with its host's agent and runs its sidecar proxy under systemd.
type MeshService struct {
	pulumi.ResourceState

	// Registered is the step after which the service is registered and its sidecar listens.
	Registered pulumi.Resource
}

type serviceData struct {
	ID, Name, CheckPath, PublicAddress string
	Port, SidecarPort                  int
	Upstreams                          []Upstream
	WaitHealthy                        bool
	Token                              string
	// Definition is the rendered service definition (it holds the token).
	Definition string
}

// NewMeshService uploads the service definition and sidecar unit, registers the service and starts the sidecar.
func NewMeshService(ctx *pulumi.Context, name string, args MeshServiceArgs, opts ...pulumi.ResourceOption) (*MeshService, error) {
	s := &MeshService{}
	if err := ctx.RegisterComponentResource("ragmesh:provisioners:MeshService", name, s, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(s)
	h := args.Host
	data := pulumi.All(h.PrivateAddress, args.Token).ApplyT(func(v []any) (serviceData, error) {
		d := serviceData{
			ID: args.ID, Name: args.Name, CheckPath: args.CheckPath, PublicAddress: v[0].(string), Token: v[1].(string),
			Port: args.Port, SidecarPort: SidecarPort, Upstreams: args.Upstreams, WaitHealthy: args.WaitHealthy,
		}
		def, err := Render("service.hcl.tmpl", d)
		d.Definition = def
		return d, err
	})
	after := pulumi.DependsOn([]pulumi.Resource{args.Agent})
	unit, unitHash, err := uploadText(ctx, args.ID+"-sidecar-unit", h, renderOutput("sidecar.service.tmpl", data), args.ID+"-sidecar.service", child, after)
	if err != nil {
		return nil, err
	}
	// The definition holds the service token, so it travels inside the (secret) register script, not as an upload.
	register, err := run(ctx, args.ID+"-register", h, script{
		body:     pulumi.ToSecret(renderOutput("service-register.sh.tmpl", data)).(pulumi.StringOutput),
		triggers: pulumi.Array{unitHash},
		secret:   true,
	}, child, pulumi.DependsOn(append([]pulumi.Resource{args.Agent, unit}, args.After...)))
	if err != nil {
		return nil, err
	}
	stop, err := Render("service-deregister.sh.tmpl", map[string]string{"ID": args.ID})
	if err != nil {
		return nil, err
	}
	if _, err := teardown(ctx, args.ID+"-deregister", h, stop, child, pulumi.DependsOn([]pulumi.Resource{register})); err != nil {
		return nil, err
	}
	s.Registered = register
	return s, ctx.RegisterResourceOutputs(s, pulumi.Map{})
}
