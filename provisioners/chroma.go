package provisioners

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/config"
	"github.com/ragmesh/ragmesh/hosts"
)

// Chroma's place in the mesh.
const (
	ChromaService   = "chromadb"
	ChromaPort      = 8000
	ChromaCheckPath = "/api/v2/heartbeat"
)

// ChromaArgs configures ChromaDB on the chroma host.
type ChromaArgs struct {
	Host   hosts.Host
	Agent  pulumi.Resource
	Chroma config.Chroma
	// Token is the secret of chromadb's service-identity token.
	Token pulumi.StringOutput
}

// Chroma is ChromaDB bound to the chroma host's loopback, registered in the mesh as chromadb.
type Chroma struct {
	pulumi.ResourceState

	// Registered is the step after which ChromaDB answers and its sidecar listens.
	Registered pulumi.Resource
}

// NewChroma installs and starts ChromaDB (Docker image or uploaded bundle) and registers it in the mesh. When
// the host has a data device, the data directory is mounted from it before ChromaDB first starts.
func NewChroma(ctx *pulumi.Context, name string, args ChromaArgs, opts ...pulumi.ResourceOption) (*Chroma, error) {
	c := &Chroma{}
	if err := ctx.RegisterComponentResource("ragmesh:provisioners:Chroma", name, c, opts...); err != nil {
		return nil, err
	}
	child := pulumi.Parent(c)
	h := args.Host
	after := []pulumi.Resource{args.Agent}
	data := map[string]string{"Runtime": args.Chroma.Runtime, "DataDir": args.Chroma.DataDir, "Image": args.Chroma.Image}
	triggers := pulumi.Array{}
	unitTemplate := "chroma-docker.service.tmpl"

	if args.Chroma.Runtime == config.RuntimeBundle {
		unitTemplate = "chroma-bundle.service.tmpl"
		sum, err := HashFile(args.Chroma.Bundle)
		if err != nil {
			return nil, fmt.Errorf("ragmesh:chromaBundle: %w: build it with `make tools` or fix the path", err)
		}
		data["BundleSHA256"] = sum
		bundle, err := upload(ctx, h.Name+"-chroma-bundle", h, pulumi.NewFileAsset(args.Chroma.Bundle), "chroma-server.tar.gz", child, pulumi.DependsOn(after))
		if err != nil {
			return nil, err
		}
		after = append(after, bundle)
		triggers = append(triggers, pulumi.String(sum))
	}
	if h.DataDevice != "" {
		body, err := Render("chroma-data-disk.sh.tmpl", map[string]string{"Device": h.DataDevice, "DataDir": args.Chroma.DataDir})
		if err != nil {
			return nil, err
		}
		disk, err := run(ctx, h.Name+"-chroma-data-disk", h, script{body: pulumi.String(body)}, child, pulumi.DependsOn(after))
		if err != nil {
			return nil, err
		}
		after = append(after, disk)
	}
	unitText, err := Render(unitTemplate, data)
	if err != nil {
		return nil, err
	}
	unit, unitHash, err := uploadText(ctx, h.Name+"-chroma-unit", h, pulumi.String(unitText).ToStringOutput(), "chroma.service", child, pulumi.DependsOn([]pulumi.Resource{args.Agent}))
	if err != nil {
		return nil, err
	}
	body, err := Render("chroma-install.sh.tmpl", data)
	if err != nil {
		return nil, err
	}
	install, err := run(ctx, h.Name+"-chroma-install", h, script{body: pulumi.String(body), triggers: append(triggers, unitHash)},
		child, pulumi.DependsOn(append(after, unit)))
	if err != nil {
		return nil, err
	}
	stop, err := Render("chroma-stop.sh.tmpl", nil)
	if err != nil {
		return nil, err
	}
	if _, err := teardown(ctx, h.Name+"-chroma-teardown", h, stop, child, pulumi.DependsOn([]pulumi.Resource{install})); err != nil {
		return nil, err
	}

	svc, err := NewMeshService(ctx, name+"-service", MeshServiceArgs{
		Host: h, Agent: args.Agent, Name: ChromaService, ID: ChromaService + "-" + h.Name,
		Port: ChromaPort, CheckPath: ChromaCheckPath, After: []pulumi.Resource{install}, Token: args.Token,
		WaitHealthy: true,
	}, child)
	if err != nil {
		return nil, err
	}
	c.Registered = svc.Registered
	return c, ctx.RegisterResourceOutputs(c, pulumi.Map{})
}
