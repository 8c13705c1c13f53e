package consul

import (
	"errors"
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AclPolicy is a named set of ACL rules that tokens can be granted.
type AclPolicy struct {
	pulumi.CustomResourceState

	Datacenters pulumi.StringArrayOutput `pulumi:"datacenters"`
	Description pulumi.StringPtrOutput   `pulumi:"description"`
	Name        pulumi.StringOutput      `pulumi:"name"`
	Namespace   pulumi.StringPtrOutput   `pulumi:"namespace"`
	Partition   pulumi.StringPtrOutput   `pulumi:"partition"`
	Rules       pulumi.StringOutput      `pulumi:"rules"`
}

// AclPolicyArgs are the inputs of AclPolicy. Rules is required; Name is autonamed by the provider when unset.
type AclPolicyArgs struct {
	Datacenters pulumi.StringArrayInput
	Description pulumi.StringPtrInput
	Name        pulumi.StringPtrInput
	Namespace   pulumi.StringPtrInput
	Partition   pulumi.StringPtrInput
	Rules       pulumi.StringInput
}

type aclPolicyArgs struct {
	Datacenters []string `pulumi:"datacenters"`
	Description *string  `pulumi:"description"`
	Name        *string  `pulumi:"name"`
	Namespace   *string  `pulumi:"namespace"`
	Partition   *string  `pulumi:"partition"`
	Rules       string   `pulumi:"rules"`
}

// ElementType ties the input struct to its plain shape, which carries the wire names.
func (AclPolicyArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*aclPolicyArgs)(nil)).Elem()
}

// NewAclPolicy registers an ACL policy.
func NewAclPolicy(ctx *pulumi.Context, name string, args *AclPolicyArgs, opts ...pulumi.ResourceOption) (*AclPolicy, error) {
	if args == nil {
		return nil, errors.New("missing one or more required arguments")
	}
	if args.Rules == nil {
		return nil, errors.New("invalid value for required argument 'Rules'")
	}
	var resource AclPolicy
	if err := ctx.RegisterResource(AclPolicyType, name, args, &resource, withVersion(opts)...); err != nil {
		return nil, err
	}
	return &resource, nil
}
