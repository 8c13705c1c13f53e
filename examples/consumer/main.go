// Command consumer is an example of a stack built on a ragmesh stack: it reads ragmesh's outputs through a
// StackReference and turns them into what an app deployment on the mesh is configured with — the hosts to
// deploy to, and the settings the app starts with (it reaches Chroma only through its local sidecar).
//
// A real deployment would hand Deployments to its own resources (a release on each app host, a job, ...);
// this example exports them, so what it derived can be checked.
package main

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

func main() { pulumi.Run(run) }

func run(ctx *pulumi.Context) error {
	stack, err := config.New(ctx, "").Try("meshStack")
	if err != nil {
		return fmt.Errorf("%s:meshStack is not set: run `pulumi config set meshStack <organization>/ragmesh/<stack>`", ctx.Project())
	}
	mesh, err := ReadMesh(ctx, stack)
	if err != nil {
		return err
	}
	if !mesh.AllowsApp() {
		_ = ctx.Log.Warn(fmt.Sprintf("no intention of %s lets %s call anything: its requests will be denied", mesh.Stack, mesh.AppService), nil)
	}
	chromaURL := "http://" + mesh.ChromaUpstream
	var deployments pulumi.MapArray
	for _, host := range mesh.AppAddresses {
		deployments = append(deployments, pulumi.Map{
			"host":    pulumi.String(host),
			"envFile": pulumi.String(mesh.AppEnvFile),
			"settings": pulumi.StringMap{
				"CHROMA_URL":        pulumi.String(chromaURL),
				"CONSUL_DATACENTER": pulumi.String(mesh.Datacenter),
				"MESH_SERVICE":      pulumi.String(mesh.AppService),
			},
		})
	}
	ctx.Export("meshStack", pulumi.String(mesh.Stack))
	ctx.Export("appHosts", pulumi.ToStringArray(mesh.AppAddresses))
	ctx.Export("chromaUrl", pulumi.String(chromaURL))
	ctx.Export("deployments", deployments)
	return nil
}
