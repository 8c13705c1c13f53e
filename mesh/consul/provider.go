package consul

import (
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Provider is an explicit consul provider instance, bound to one Consul server's HTTP API.
type Provider struct {
	pulumi.ProviderResourceState

	Address    pulumi.StringPtrOutput `pulumi:"address"`
	CaPem      pulumi.StringPtrOutput `pulumi:"caPem"`
	Datacenter pulumi.StringPtrOutput `pulumi:"datacenter"`
	Scheme     pulumi.StringPtrOutput `pulumi:"scheme"`
	Token      pulumi.StringPtrOutput `pulumi:"token"`
}

// ProviderArgs configures a Provider. Token is always sent as a secret.
type ProviderArgs struct {
	Address       pulumi.StringPtrInput
	CaPem         pulumi.StringPtrInput
	Datacenter    pulumi.StringPtrInput
	InsecureHttps pulumi.BoolPtrInput
	Scheme        pulumi.StringPtrInput
	Token         pulumi.StringPtrInput
}

type providerArgs struct {
	Address       *string `pulumi:"address"`
	CaPem         *string `pulumi:"caPem"`
	Datacenter    *string `pulumi:"datacenter"`
	InsecureHttps *bool   `pulumi:"insecureHttps"`
	Scheme        *string `pulumi:"scheme"`
	Token         *string `pulumi:"token"`
}

// ElementType ties the input struct to its plain shape, which carries the wire names.
func (ProviderArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*providerArgs)(nil)).Elem()
}

// NewProvider registers an explicit consul provider.
func NewProvider(ctx *pulumi.Context, name string, args *ProviderArgs, opts ...pulumi.ResourceOption) (*Provider, error) {
	if args == nil {
		args = &ProviderArgs{}
	}
	if args.Token != nil {
		args.Token = pulumi.ToSecret(args.Token).(pulumi.StringPtrInput)
	}
	opts = append(withVersion(opts), pulumi.AdditionalSecretOutputs([]string{"token"}))
	var resource Provider
	if err := ctx.RegisterResource(ProviderType, name, args, &resource, opts...); err != nil {
		return nil, err
	}
	return &resource, nil
}
