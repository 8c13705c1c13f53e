// Package app is the application side of the mesh: the Django app's service registration on every app host,
// its upstream to ChromaDB, and the settings file it is handed. The app itself belongs to its team.
package app

import (
	"embed"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/hosts"
	"github.com/ragmesh/ragmesh/provisioners"
	"github.com/ragmesh/ragmesh/render"
)

// The app's place in the mesh.
const (
	Service   = "django-app"
	Port      = 8080
	CheckPath = "/health/"
	// UpstreamPort is where the app reaches ChromaDB: 127.0.0.1:8001 on its own host.
	UpstreamPort = 8001
	// EnvFile is where the app's settings are written on every app host.
	EnvFile = "/etc/ragmesh/django-app.env"
)

// UpstreamAddress is what the app dials for ChromaDB.
var UpstreamAddress = fmt.Sprintf("127.0.0.1:%d", UpstreamPort)

//go:embed templates/*.tmpl
var templateFiles embed.FS

var templates = render.Parse(templateFiles, nil)

// Render fills one of the app's templates.
func Render(name string, data any) (string, error) { return templates.Render(name, data) }

// Args places the app on its hosts.
type Args struct {
	Hosts []hosts.Host
	// Agents maps a host name to the step after which its Consul agent is up.
	Agents map[string]pulumi.Resource
	// Token is the secret of django-app's service-identity token, shared by every instance.
	Token pulumi.StringOutput
}

// App is django-app registered on every app host, with chromadb as its upstream.
type App struct {
	pulumi.ResourceState

	// Registered are the steps after which each instance and its sidecar are up.
	Registered []pulumi.Resource
}

// New registers django-app on every app host and writes its settings file.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*App, error) {
	a := &App{}
	if err := ctx.RegisterComponentResource("ragmesh:app:DjangoApp", name, a, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(a)
	for _, h := range args.Hosts {
		agent := args.Agents[h.Name]
		env, err := Render("django-app.env.tmpl", map[string]any{"Host": h.Name, "UpstreamPort": UpstreamPort})
		if err != nil {
			return nil, err
		}
		if _, err := provisioners.InstallFile(ctx, h.Name+"-app-env", h, env, EnvFile, "0644", []pulumi.Resource{agent}, child); err != nil {
			return nil, err
		}
		svc, err := provisioners.NewMeshService(ctx, h.Name+"-django-app", provisioners.MeshServiceArgs{
			Host: h, Agent: agent, Name: Service, ID: Service + "-" + h.Name, Port: Port, CheckPath: CheckPath, Token: args.Token,
			Upstreams: []provisioners.Upstream{{Service: provisioners.ChromaService, LocalPort: UpstreamPort}},
		}, child)
		if err != nil {
			return nil, err
		}
		a.Registered = append(a.Registered, svc.Registered)
	}
	return a, ctx.RegisterResourceOutputs(a, pulumi.Map{})
}
