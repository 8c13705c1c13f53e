package provisioners

import (
	"path"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/hosts"
)

// InstallFile puts rendered text at dest on h (owned by root, with mode), re-installing it when it changes.
func InstallFile(ctx *pulumi.Context, name string, h hosts.Host, text, dest, mode string, after []pulumi.Resource, opts ...pulumi.ResourceOption) (pulumi.Resource, error) {
	staged := path.Base(dest)
	cp, textHash, err := uploadText(ctx, name+"-upload", h, pulumi.String(text).ToStringOutput(), staged, append(opts, pulumi.DependsOn(after))...)
	if err != nil {
		return nil, err
	}
	body, err := Render("install-file.sh.tmpl", map[string]string{"Dest": dest, "Mode": mode, "Staged": staged})
	if err != nil {
		return nil, err
	}
	return run(ctx, name+"-install", h, script{body: pulumi.String(body), triggers: pulumi.Array{textHash}}, append(opts, pulumi.DependsOn([]pulumi.Resource{cp}))...)
}
