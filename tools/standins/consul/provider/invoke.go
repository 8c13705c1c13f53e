package provider

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
)

var secretIDArgs = object{
	"accessorId": {kind: kindString, required: true},
	"namespace":  {kind: kindString},
	"partition":  {kind: kindString},
}

// Invoke serves getAclTokenSecretId: the only way this stand-in hands out a token's secret ID, always as a
// secret. PGP encryption is refused rather than faked.
func (p *Provider) Invoke(_ context.Context, req plugin.InvokeRequest) (plugin.InvokeResponse, error) {
	if string(req.Tok) != secretIDFunction {
		return plugin.InvokeResponse{}, fmt.Errorf("consul stand-in: function %s is not supported (supported: %s)",
			req.Tok, secretIDFunction)
	}
	refused := unsupported{"pgpKey": notSupported}
	if problems := checkObject("", req.Args, secretIDArgs, refused); len(problems) > 0 {
		return plugin.InvokeResponse{}, fmt.Errorf("consul stand-in: %s: %v", req.Tok, problems)
	}
	client, err := p.consul()
	if err != nil {
		return plugin.InvokeResponse{}, err
	}
	args := plainMap(req.Args)
	token, _, err := client.ACL().TokenRead(str(args, "accessorId"), queryOptions(args))
	if err != nil {
		return plugin.InvokeResponse{}, fmt.Errorf("consul stand-in: reading token %q: %w", str(args, "accessorId"), err)
	}
	out := outputs{
		"secretId":          resource.MakeSecret(resource.NewProperty(token.SecretID)),
		"encryptedSecretId": resource.MakeSecret(resource.NewProperty("")),
	}
	out.str("accessorId", token.AccessorID)
	out.str("id", token.AccessorID)
	out.str("namespace", str(args, "namespace"))
	out.str("partition", str(args, "partition"))
	return plugin.InvokeResponse{Properties: resource.PropertyMap(out)}, nil
}
