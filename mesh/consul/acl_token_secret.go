package consul

import (
	"context"
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// GetAclTokenSecretIdArgs selects the token whose secret ID is read.
type GetAclTokenSecretIdArgs struct {
	AccessorId string  `pulumi:"accessorId"`
	Namespace  *string `pulumi:"namespace"`
	Partition  *string `pulumi:"partition"`
}

// GetAclTokenSecretIdResult carries the token's secret ID. SecretId and EncryptedSecretId are secrets.
type GetAclTokenSecretIdResult struct {
	AccessorId        string  `pulumi:"accessorId"`
	EncryptedSecretId string  `pulumi:"encryptedSecretId"`
	Id                string  `pulumi:"id"`
	Namespace         *string `pulumi:"namespace"`
	Partition         *string `pulumi:"partition"`
	SecretId          string  `pulumi:"secretId"`
}

// GetAclTokenSecretId reads a token's secret ID as a plain value: the caller must keep it secret. Prefer
// GetAclTokenSecretIdOutput, whose result stays a Pulumi secret.
func GetAclTokenSecretId(ctx *pulumi.Context, args *GetAclTokenSecretIdArgs, opts ...pulumi.InvokeOption,
) (*GetAclTokenSecretIdResult, error) {
	var result GetAclTokenSecretIdResult
	if err := ctx.Invoke(GetAclTokenSecretIdToken, args, &result, withInvokeVersion(opts)...); err != nil {
		return nil, err
	}
	return &result, nil
}

// GetAclTokenSecretIdOutputArgs is the input form of GetAclTokenSecretIdArgs: AccessorId is usually an
// AclToken's output, which also orders the read after the token exists.
type GetAclTokenSecretIdOutputArgs struct {
	AccessorId pulumi.StringInput    `pulumi:"accessorId"`
	Namespace  pulumi.StringPtrInput `pulumi:"namespace"`
	Partition  pulumi.StringPtrInput `pulumi:"partition"`
}

// ElementType reports the plain type the input resolves to.
func (GetAclTokenSecretIdOutputArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*GetAclTokenSecretIdArgs)(nil)).Elem()
}

// GetAclTokenSecretIdOutput reads a token's secret ID as an output; the result is secret.
func GetAclTokenSecretIdOutput(ctx *pulumi.Context, args GetAclTokenSecretIdOutputArgs, opts ...pulumi.InvokeOption,
) GetAclTokenSecretIdResultOutput {
	result := ctx.InvokeOutput(GetAclTokenSecretIdToken, args, GetAclTokenSecretIdResultOutput{},
		pulumi.InvokeOutputOptions{InvokeOptions: withInvokeVersion(opts)})
	return result.(GetAclTokenSecretIdResultOutput)
}

// GetAclTokenSecretIdResultOutput is an eventual GetAclTokenSecretIdResult.
type GetAclTokenSecretIdResultOutput struct{ *pulumi.OutputState }

// ElementType reports the plain type the output resolves to.
func (GetAclTokenSecretIdResultOutput) ElementType() reflect.Type {
	return reflect.TypeOf((*GetAclTokenSecretIdResult)(nil)).Elem()
}

// ToGetAclTokenSecretIdResultOutput returns the output itself.
func (o GetAclTokenSecretIdResultOutput) ToGetAclTokenSecretIdResultOutput() GetAclTokenSecretIdResultOutput {
	return o
}

// ToGetAclTokenSecretIdResultOutputWithContext returns the output itself.
func (o GetAclTokenSecretIdResultOutput) ToGetAclTokenSecretIdResultOutputWithContext(
	context.Context,
) GetAclTokenSecretIdResultOutput {
	return o
}

// AccessorId is the token's accessor ID.
func (o GetAclTokenSecretIdResultOutput) AccessorId() pulumi.StringOutput {
	return o.ApplyT(func(v GetAclTokenSecretIdResult) string { return v.AccessorId }).(pulumi.StringOutput)
}

// SecretId is the token's secret ID. It is marked secret here too, so it stays secret even if a provider
// forgets to mark it.
func (o GetAclTokenSecretIdResultOutput) SecretId() pulumi.StringOutput {
	secretID := o.ApplyT(func(v GetAclTokenSecretIdResult) string { return v.SecretId }).(pulumi.StringOutput)
	return pulumi.ToSecret(secretID).(pulumi.StringOutput)
}

func init() {
	pulumi.RegisterOutputType(GetAclTokenSecretIdResultOutput{})
}
