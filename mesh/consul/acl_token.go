package consul

import (
	"context"
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AclToken is an ACL token. Its ID and AccessorId are the accessor ID; the secret ID never appears in its
// state and is read on demand with GetAclTokenSecretIdOutput.
type AclToken struct {
	pulumi.CustomResourceState

	AccessorId        pulumi.StringOutput                `pulumi:"accessorId"`
	Description       pulumi.StringPtrOutput             `pulumi:"description"`
	Local             pulumi.BoolPtrOutput               `pulumi:"local"`
	Namespace         pulumi.StringPtrOutput             `pulumi:"namespace"`
	NodeIdentities    AclTokenNodeIdentityArrayOutput    `pulumi:"nodeIdentities"`
	Partition         pulumi.StringPtrOutput             `pulumi:"partition"`
	Policies          pulumi.StringArrayOutput           `pulumi:"policies"`
	Roles             pulumi.StringArrayOutput           `pulumi:"roles"`
	ServiceIdentities AclTokenServiceIdentityArrayOutput `pulumi:"serviceIdentities"`
}

// AclTokenArgs are the inputs of AclToken. Policies are given by name.
type AclTokenArgs struct {
	AccessorId        pulumi.StringPtrInput
	Description       pulumi.StringPtrInput
	Local             pulumi.BoolPtrInput
	Namespace         pulumi.StringPtrInput
	NodeIdentities    AclTokenNodeIdentityArrayInput
	Partition         pulumi.StringPtrInput
	Policies          pulumi.StringArrayInput
	Roles             pulumi.StringArrayInput
	ServiceIdentities AclTokenServiceIdentityArrayInput
}

type aclTokenArgs struct {
	AccessorId        *string                   `pulumi:"accessorId"`
	Description       *string                   `pulumi:"description"`
	Local             *bool                     `pulumi:"local"`
	Namespace         *string                   `pulumi:"namespace"`
	NodeIdentities    []AclTokenNodeIdentity    `pulumi:"nodeIdentities"`
	Partition         *string                   `pulumi:"partition"`
	Policies          []string                  `pulumi:"policies"`
	Roles             []string                  `pulumi:"roles"`
	ServiceIdentities []AclTokenServiceIdentity `pulumi:"serviceIdentities"`
}

// ElementType ties the input struct to its plain shape, which carries the wire names.
func (AclTokenArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*aclTokenArgs)(nil)).Elem()
}

// NewAclToken registers an ACL token.
func NewAclToken(ctx *pulumi.Context, name string, args *AclTokenArgs, opts ...pulumi.ResourceOption) (*AclToken, error) {
	if args == nil {
		args = &AclTokenArgs{}
	}
	var resource AclToken
	if err := ctx.RegisterResource(AclTokenType, name, args, &resource, withVersion(opts)...); err != nil {
		return nil, err
	}
	return &resource, nil
}

// AclTokenServiceIdentity grants the token the templated rights of one service (and its sidecar).
type AclTokenServiceIdentity struct {
	Datacenters []string `pulumi:"datacenters"`
	ServiceName string   `pulumi:"serviceName"`
}

// AclTokenServiceIdentityInput is any input that resolves to an AclTokenServiceIdentity.
type AclTokenServiceIdentityInput interface {
	pulumi.Input

	ToAclTokenServiceIdentityOutput() AclTokenServiceIdentityOutput
	ToAclTokenServiceIdentityOutputWithContext(context.Context) AclTokenServiceIdentityOutput
}

// AclTokenServiceIdentityArgs is the input form of AclTokenServiceIdentity.
type AclTokenServiceIdentityArgs struct {
	Datacenters pulumi.StringArrayInput `pulumi:"datacenters"`
	ServiceName pulumi.StringInput      `pulumi:"serviceName"`
}

// ElementType reports the plain type the input resolves to.
func (AclTokenServiceIdentityArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*AclTokenServiceIdentity)(nil)).Elem()
}

// ToAclTokenServiceIdentityOutput lifts the input into an output.
func (i AclTokenServiceIdentityArgs) ToAclTokenServiceIdentityOutput() AclTokenServiceIdentityOutput {
	return i.ToAclTokenServiceIdentityOutputWithContext(context.Background())
}

// ToAclTokenServiceIdentityOutputWithContext lifts the input into an output.
func (i AclTokenServiceIdentityArgs) ToAclTokenServiceIdentityOutputWithContext(ctx context.Context) AclTokenServiceIdentityOutput {
	return pulumi.ToOutputWithContext(ctx, i).(AclTokenServiceIdentityOutput)
}

// AclTokenServiceIdentityArrayInput is any input that resolves to a list of service identities.
type AclTokenServiceIdentityArrayInput interface {
	pulumi.Input

	ToAclTokenServiceIdentityArrayOutput() AclTokenServiceIdentityArrayOutput
	ToAclTokenServiceIdentityArrayOutputWithContext(context.Context) AclTokenServiceIdentityArrayOutput
}

// AclTokenServiceIdentityArray is a list of service identity inputs.
type AclTokenServiceIdentityArray []AclTokenServiceIdentityInput

// ElementType reports the plain type the input resolves to.
func (AclTokenServiceIdentityArray) ElementType() reflect.Type {
	return reflect.TypeOf((*[]AclTokenServiceIdentity)(nil)).Elem()
}

// ToAclTokenServiceIdentityArrayOutput lifts the input into an output.
func (i AclTokenServiceIdentityArray) ToAclTokenServiceIdentityArrayOutput() AclTokenServiceIdentityArrayOutput {
	return i.ToAclTokenServiceIdentityArrayOutputWithContext(context.Background())
}

// ToAclTokenServiceIdentityArrayOutputWithContext lifts the input into an output.
func (i AclTokenServiceIdentityArray) ToAclTokenServiceIdentityArrayOutputWithContext(
	ctx context.Context,
) AclTokenServiceIdentityArrayOutput {
	return pulumi.ToOutputWithContext(ctx, i).(AclTokenServiceIdentityArrayOutput)
}

// AclTokenServiceIdentityOutput is an eventual AclTokenServiceIdentity.
type AclTokenServiceIdentityOutput struct{ *pulumi.OutputState }

// ElementType reports the plain type the output resolves to.
func (AclTokenServiceIdentityOutput) ElementType() reflect.Type {
	return reflect.TypeOf((*AclTokenServiceIdentity)(nil)).Elem()
}

// ToAclTokenServiceIdentityOutput returns the output itself.
func (o AclTokenServiceIdentityOutput) ToAclTokenServiceIdentityOutput() AclTokenServiceIdentityOutput {
	return o
}

// ToAclTokenServiceIdentityOutputWithContext returns the output itself.
func (o AclTokenServiceIdentityOutput) ToAclTokenServiceIdentityOutputWithContext(context.Context) AclTokenServiceIdentityOutput {
	return o
}

// AclTokenServiceIdentityArrayOutput is an eventual list of service identities.
type AclTokenServiceIdentityArrayOutput struct{ *pulumi.OutputState }

// ElementType reports the plain type the output resolves to.
func (AclTokenServiceIdentityArrayOutput) ElementType() reflect.Type {
	return reflect.TypeOf((*[]AclTokenServiceIdentity)(nil)).Elem()
}

// ToAclTokenServiceIdentityArrayOutput returns the output itself.
func (o AclTokenServiceIdentityArrayOutput) ToAclTokenServiceIdentityArrayOutput() AclTokenServiceIdentityArrayOutput {
	return o
}

// ToAclTokenServiceIdentityArrayOutputWithContext returns the output itself.
func (o AclTokenServiceIdentityArrayOutput) ToAclTokenServiceIdentityArrayOutputWithContext(
	context.Context,
) AclTokenServiceIdentityArrayOutput {
	return o
}

// AclTokenNodeIdentity grants the token the templated rights of one Consul agent's node.
type AclTokenNodeIdentity struct {
	Datacenter string `pulumi:"datacenter"`
	NodeName   string `pulumi:"nodeName"`
}

// AclTokenNodeIdentityInput is any input that resolves to an AclTokenNodeIdentity.
type AclTokenNodeIdentityInput interface {
	pulumi.Input

	ToAclTokenNodeIdentityOutput() AclTokenNodeIdentityOutput
	ToAclTokenNodeIdentityOutputWithContext(context.Context) AclTokenNodeIdentityOutput
}

// AclTokenNodeIdentityArgs is the input form of AclTokenNodeIdentity.
type AclTokenNodeIdentityArgs struct {
	Datacenter pulumi.StringInput `pulumi:"datacenter"`
	NodeName   pulumi.StringInput `pulumi:"nodeName"`
}

// ElementType reports the plain type the input resolves to.
func (AclTokenNodeIdentityArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*AclTokenNodeIdentity)(nil)).Elem()
}

// ToAclTokenNodeIdentityOutput lifts the input into an output.
func (i AclTokenNodeIdentityArgs) ToAclTokenNodeIdentityOutput() AclTokenNodeIdentityOutput {
	return i.ToAclTokenNodeIdentityOutputWithContext(context.Background())
}

// ToAclTokenNodeIdentityOutputWithContext lifts the input into an output.
func (i AclTokenNodeIdentityArgs) ToAclTokenNodeIdentityOutputWithContext(ctx context.Context) AclTokenNodeIdentityOutput {
	return pulumi.ToOutputWithContext(ctx, i).(AclTokenNodeIdentityOutput)
}

// AclTokenNodeIdentityArrayInput is any input that resolves to a list of node identities.
type AclTokenNodeIdentityArrayInput interface {
	pulumi.Input

	ToAclTokenNodeIdentityArrayOutput() AclTokenNodeIdentityArrayOutput
	ToAclTokenNodeIdentityArrayOutputWithContext(context.Context) AclTokenNodeIdentityArrayOutput
}

// AclTokenNodeIdentityArray is a list of node identity inputs.
type AclTokenNodeIdentityArray []AclTokenNodeIdentityInput

// ElementType reports the plain type the input resolves to.
func (AclTokenNodeIdentityArray) ElementType() reflect.Type {
	return reflect.TypeOf((*[]AclTokenNodeIdentity)(nil)).Elem()
}

// ToAclTokenNodeIdentityArrayOutput lifts the input into an output.
func (i AclTokenNodeIdentityArray) ToAclTokenNodeIdentityArrayOutput() AclTokenNodeIdentityArrayOutput {
	return i.ToAclTokenNodeIdentityArrayOutputWithContext(context.Background())
}

// ToAclTokenNodeIdentityArrayOutputWithContext lifts the input into an output.
func (i AclTokenNodeIdentityArray) ToAclTokenNodeIdentityArrayOutputWithContext(
	ctx context.Context,
) AclTokenNodeIdentityArrayOutput {
	return pulumi.ToOutputWithContext(ctx, i).(AclTokenNodeIdentityArrayOutput)
}

// AclTokenNodeIdentityOutput is an eventual AclTokenNodeIdentity.
type AclTokenNodeIdentityOutput struct{ *pulumi.OutputState }

// ElementType reports the plain type the output resolves to.
func (AclTokenNodeIdentityOutput) ElementType() reflect.Type {
	return reflect.TypeOf((*AclTokenNodeIdentity)(nil)).Elem()
}

// ToAclTokenNodeIdentityOutput returns the output itself.
func (o AclTokenNodeIdentityOutput) ToAclTokenNodeIdentityOutput() AclTokenNodeIdentityOutput {
	return o
}

// ToAclTokenNodeIdentityOutputWithContext returns the output itself.
func (o AclTokenNodeIdentityOutput) ToAclTokenNodeIdentityOutputWithContext(context.Context) AclTokenNodeIdentityOutput {
	return o
}

// AclTokenNodeIdentityArrayOutput is an eventual list of node identities.
type AclTokenNodeIdentityArrayOutput struct{ *pulumi.OutputState }

// ElementType reports the plain type the output resolves to.
func (AclTokenNodeIdentityArrayOutput) ElementType() reflect.Type {
	return reflect.TypeOf((*[]AclTokenNodeIdentity)(nil)).Elem()
}

// ToAclTokenNodeIdentityArrayOutput returns the output itself.
func (o AclTokenNodeIdentityArrayOutput) ToAclTokenNodeIdentityArrayOutput() AclTokenNodeIdentityArrayOutput {
	return o
}

// ToAclTokenNodeIdentityArrayOutputWithContext returns the output itself.
func (o AclTokenNodeIdentityArrayOutput) ToAclTokenNodeIdentityArrayOutputWithContext(
	context.Context,
) AclTokenNodeIdentityArrayOutput {
	return o
}

func init() {
	pulumi.RegisterInputType(reflect.TypeOf((*AclTokenServiceIdentityInput)(nil)).Elem(), AclTokenServiceIdentityArgs{})
	pulumi.RegisterInputType(reflect.TypeOf((*AclTokenServiceIdentityArrayInput)(nil)).Elem(),
		AclTokenServiceIdentityArray{})
	pulumi.RegisterInputType(reflect.TypeOf((*AclTokenNodeIdentityInput)(nil)).Elem(), AclTokenNodeIdentityArgs{})
	pulumi.RegisterInputType(reflect.TypeOf((*AclTokenNodeIdentityArrayInput)(nil)).Elem(), AclTokenNodeIdentityArray{})
	pulumi.RegisterOutputType(AclTokenServiceIdentityOutput{})
	pulumi.RegisterOutputType(AclTokenServiceIdentityArrayOutput{})
	pulumi.RegisterOutputType(AclTokenNodeIdentityOutput{})
	pulumi.RegisterOutputType(AclTokenNodeIdentityArrayOutput{})
}
