package selfcheck

import (
	"github.com/pulumi/pulumi-command/sdk/go/command/remote"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/hosts"
	"github.com/ragmesh/ragmesh/mesh/consul"
)

// PolicyName is the ACL policy of the self-check's token.
const PolicyName = "ragmesh-selfcheck"

// Rules renders the self-check token's ACL rules.
func Rules() (string, error) {
	return templates.Render("acl-policy.hcl.tmpl", map[string]string{"ProbeService": ProbeService})
}

// newToken makes the check's policy and token through the cluster's consul provider; the secret stays secret.
func newToken(ctx *pulumi.Context, name string, provider *consul.Provider, opts ...pulumi.ResourceOption) (pulumi.StringOutput, error) {
	rules, err := Rules()
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	use := append(opts, pulumi.Provider(provider))
	policy, err := consul.NewAclPolicy(ctx, name+"-policy", &consul.AclPolicyArgs{
		Name:        pulumi.String(PolicyName),
		Description: pulumi.String("ragmesh: the mesh self-check and diagnosis (read-only, plus the probe identity)"),
		Rules:       pulumi.String(rules),
	}, use...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	token, err := consul.NewAclToken(ctx, name+"-token", &consul.AclTokenArgs{
		Description: pulumi.String("ragmesh: self-check and diagnosis on the app hosts"),
		Policies:    pulumi.StringArray{policy.Name},
	}, use...)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	secret := consul.GetAclTokenSecretIdOutput(ctx, consul.GetAclTokenSecretIdOutputArgs{AccessorId: token.AccessorId},
		pulumi.Parent(token), pulumi.Provider(provider))
	return pulumi.ToSecret(secret.SecretId()).(pulumi.StringOutput), nil
}

// installToken writes the token root-only on h. The script carrying it travels on stdin and logs nothing.
func installToken(ctx *pulumi.Context, h hosts.Host, token pulumi.StringOutput, opts ...pulumi.ResourceOption) (*remote.Command, error) {
	body := token.ApplyT(func(t string) (string, error) {
		return templates.Render("install-token.sh.tmpl", map[string]string{
			"TokenDir": TokenDir, "TokenFile": TokenFile, "Token": t,
		})
	}).(pulumi.StringOutput)
	return remote.NewCommand(ctx, h.Name+"-selfcheck-token", &remote.CommandArgs{
		Connection: h.Connection,
		Create:     pulumi.String("sudo -n /bin/bash -s"),
		Stdin:      pulumi.ToSecret(body).(pulumi.StringOutput),
		Logging:    remote.LoggingNone,
	}, append(opts, pulumi.AdditionalSecretOutputs([]string{"stdout", "stderr"}))...)
}
