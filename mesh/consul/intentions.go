package consul

import (
	"context"
	"errors"
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ConfigEntryServiceIntentions is the service-intentions config entry of one destination service: the list of
// sources allowed or denied to call it. Name is the destination service (not required: the provider autonames).
type ConfigEntryServiceIntentions struct {
	pulumi.CustomResourceState

	Meta      pulumi.StringMapOutput                        `pulumi:"meta"`
	Name      pulumi.StringOutput                           `pulumi:"name"`
	Namespace pulumi.StringPtrOutput                        `pulumi:"namespace"`
	Partition pulumi.StringPtrOutput                        `pulumi:"partition"`
	Sources   ConfigEntryServiceIntentionsSourceArrayOutput `pulumi:"sources"`
}

// ConfigEntryServiceIntentionsArgs are the inputs of ConfigEntryServiceIntentions.
type ConfigEntryServiceIntentionsArgs struct {
	Meta      pulumi.StringMapInput
	Name      pulumi.StringPtrInput
	Namespace pulumi.StringPtrInput
	Partition pulumi.StringPtrInput
	Sources   ConfigEntryServiceIntentionsSourceArrayInput
}

type configEntryServiceIntentionsArgs struct {
	Meta      map[string]string                    `pulumi:"meta"`
	Name      *string                              `pulumi:"name"`
	Namespace *string                              `pulumi:"namespace"`
	Partition *string                              `pulumi:"partition"`
	Sources   []ConfigEntryServiceIntentionsSource `pulumi:"sources"`
}

// ElementType ties the input struct to its plain shape, which carries the wire names.
func (ConfigEntryServiceIntentionsArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*configEntryServiceIntentionsArgs)(nil)).Elem()
}

// NewConfigEntryServiceIntentions registers a service-intentions config entry.
func NewConfigEntryServiceIntentions(ctx *pulumi.Context, name string, args *ConfigEntryServiceIntentionsArgs,
	opts ...pulumi.ResourceOption,
) (*ConfigEntryServiceIntentions, error) {
	if args == nil {
		args = &ConfigEntryServiceIntentionsArgs{}
	}
	var resource ConfigEntryServiceIntentions
	err := ctx.RegisterResource(ConfigEntryServiceIntentionsType, name, args, &resource, withVersion(opts)...)
	if err != nil {
		return nil, err
	}
	return &resource, nil
}

// ConfigEntryServiceIntentionsSource is one caller of the destination service and what happens to its traffic.
// Precedence is computed by Consul.
type ConfigEntryServiceIntentionsSource struct {
	Action        *string `pulumi:"action"`
	Description   *string `pulumi:"description"`
	Name          *string `pulumi:"name"`
	Namespace     *string `pulumi:"namespace"`
	Partition     *string `pulumi:"partition"`
	Peer          *string `pulumi:"peer"`
	Precedence    *int    `pulumi:"precedence"`
	SamenessGroup *string `pulumi:"samenessGroup"`
	Type          *string `pulumi:"type"`
}

// ConfigEntryServiceIntentionsSourceInput is any input that resolves to a ConfigEntryServiceIntentionsSource.
type ConfigEntryServiceIntentionsSourceInput interface {
	pulumi.Input

	ToConfigEntryServiceIntentionsSourceOutput() ConfigEntryServiceIntentionsSourceOutput
	ToConfigEntryServiceIntentionsSourceOutputWithContext(context.Context) ConfigEntryServiceIntentionsSourceOutput
}

// ConfigEntryServiceIntentionsSourceArgs is the input form of ConfigEntryServiceIntentionsSource.
type ConfigEntryServiceIntentionsSourceArgs struct {
	Action        pulumi.StringPtrInput `pulumi:"action"`
	Description   pulumi.StringPtrInput `pulumi:"description"`
	Name          pulumi.StringPtrInput `pulumi:"name"`
	Namespace     pulumi.StringPtrInput `pulumi:"namespace"`
	Partition     pulumi.StringPtrInput `pulumi:"partition"`
	Peer          pulumi.StringPtrInput `pulumi:"peer"`
	Precedence    pulumi.IntPtrInput    `pulumi:"precedence"`
	SamenessGroup pulumi.StringPtrInput `pulumi:"samenessGroup"`
	Type          pulumi.StringPtrInput `pulumi:"type"`
}

// ElementType reports the plain type the input resolves to.
func (ConfigEntryServiceIntentionsSourceArgs) ElementType() reflect.Type {
	return reflect.TypeOf((*ConfigEntryServiceIntentionsSource)(nil)).Elem()
}

// ToConfigEntryServiceIntentionsSourceOutput lifts the input into an output.
func (i ConfigEntryServiceIntentionsSourceArgs) ToConfigEntryServiceIntentionsSourceOutput() ConfigEntryServiceIntentionsSourceOutput {
	return i.ToConfigEntryServiceIntentionsSourceOutputWithContext(context.Background())
}

// ToConfigEntryServiceIntentionsSourceOutputWithContext lifts the input into an output.
func (i ConfigEntryServiceIntentionsSourceArgs) ToConfigEntryServiceIntentionsSourceOutputWithContext(
	ctx context.Context,
) ConfigEntryServiceIntentionsSourceOutput {
	return pulumi.ToOutputWithContext(ctx, i).(ConfigEntryServiceIntentionsSourceOutput)
}

// ConfigEntryServiceIntentionsSourceArrayInput is any input that resolves to a list of sources.
type ConfigEntryServiceIntentionsSourceArrayInput interface {
	pulumi.Input

	ToConfigEntryServiceIntentionsSourceArrayOutput() ConfigEntryServiceIntentionsSourceArrayOutput
	ToConfigEntryServiceIntentionsSourceArrayOutputWithContext(context.Context) ConfigEntryServiceIntentionsSourceArrayOutput
}

// ConfigEntryServiceIntentionsSourceArray is a list of source inputs.
type ConfigEntryServiceIntentionsSourceArray []ConfigEntryServiceIntentionsSourceInput

// ElementType reports the plain type the input resolves to.
func (ConfigEntryServiceIntentionsSourceArray) ElementType() reflect.Type {
	return reflect.TypeOf((*[]ConfigEntryServiceIntentionsSource)(nil)).Elem()
}

// ToConfigEntryServiceIntentionsSourceArrayOutput lifts the input into an output.
func (i ConfigEntryServiceIntentionsSourceArray) ToConfigEntryServiceIntentionsSourceArrayOutput() ConfigEntryServiceIntentionsSourceArrayOutput {
	return i.ToConfigEntryServiceIntentionsSourceArrayOutputWithContext(context.Background())
}

// ToConfigEntryServiceIntentionsSourceArrayOutputWithContext lifts the input into an output.
func (i ConfigEntryServiceIntentionsSourceArray) ToConfigEntryServiceIntentionsSourceArrayOutputWithContext(
	ctx context.Context,
) ConfigEntryServiceIntentionsSourceArrayOutput {
	return pulumi.ToOutputWithContext(ctx, i).(ConfigEntryServiceIntentionsSourceArrayOutput)
}

// ConfigEntryServiceIntentionsSourceOutput is an eventual ConfigEntryServiceIntentionsSource.
type ConfigEntryServiceIntentionsSourceOutput struct{ *pulumi.OutputState }

// ElementType reports the plain type the output resolves to.
func (ConfigEntryServiceIntentionsSourceOutput) ElementType() reflect.Type {
	return reflect.TypeOf((*ConfigEntryServiceIntentionsSource)(nil)).Elem()
}

// ToConfigEntryServiceIntentionsSourceOutput returns the output itself.
func (o ConfigEntryServiceIntentionsSourceOutput) ToConfigEntryServiceIntentionsSourceOutput() ConfigEntryServiceIntentionsSourceOutput {
	return o
}

// ToConfigEntryServiceIntentionsSourceOutputWithContext returns the output itself.
func (o ConfigEntryServiceIntentionsSourceOutput) ToConfigEntryServiceIntentionsSourceOutputWithContext(
	context.Context,
) ConfigEntryServiceIntentionsSourceOutput {
	return o
}

// Name is the calling service.
func (o ConfigEntryServiceIntentionsSourceOutput) Name() pulumi.StringPtrOutput {
	return o.ApplyT(func(v ConfigEntryServiceIntentionsSource) *string { return v.Name }).(pulumi.StringPtrOutput)
}

// Action is "allow" or "deny".
func (o ConfigEntryServiceIntentionsSourceOutput) Action() pulumi.StringPtrOutput {
	return o.ApplyT(func(v ConfigEntryServiceIntentionsSource) *string { return v.Action }).(pulumi.StringPtrOutput)
}

// Precedence is the ordering Consul computed for the source.
func (o ConfigEntryServiceIntentionsSourceOutput) Precedence() pulumi.IntPtrOutput {
	return o.ApplyT(func(v ConfigEntryServiceIntentionsSource) *int { return v.Precedence }).(pulumi.IntPtrOutput)
}

// ConfigEntryServiceIntentionsSourceArrayOutput is an eventual list of sources.
type ConfigEntryServiceIntentionsSourceArrayOutput struct{ *pulumi.OutputState }

// ElementType reports the plain type the output resolves to.
func (ConfigEntryServiceIntentionsSourceArrayOutput) ElementType() reflect.Type {
	return reflect.TypeOf((*[]ConfigEntryServiceIntentionsSource)(nil)).Elem()
}

// ToConfigEntryServiceIntentionsSourceArrayOutput returns the output itself.
func (o ConfigEntryServiceIntentionsSourceArrayOutput) ToConfigEntryServiceIntentionsSourceArrayOutput() ConfigEntryServiceIntentionsSourceArrayOutput {
	return o
}

// ToConfigEntryServiceIntentionsSourceArrayOutputWithContext returns the output itself.
func (o ConfigEntryServiceIntentionsSourceArrayOutput) ToConfigEntryServiceIntentionsSourceArrayOutputWithContext(
	context.Context,
) ConfigEntryServiceIntentionsSourceArrayOutput {
	return o
}

// Index picks one source.
func (o ConfigEntryServiceIntentionsSourceArrayOutput) Index(i pulumi.IntInput) ConfigEntryServiceIntentionsSourceOutput {
	return pulumi.All(o, i).ApplyT(func(vs []any) (ConfigEntryServiceIntentionsSource, error) {
		sources := vs[0].([]ConfigEntryServiceIntentionsSource)
		n := vs[1].(int)
		if n < 0 || n >= len(sources) {
			return ConfigEntryServiceIntentionsSource{}, errors.New("source index out of range")
		}
		return sources[n], nil
	}).(ConfigEntryServiceIntentionsSourceOutput)
}

func init() {
	pulumi.RegisterInputType(reflect.TypeOf((*ConfigEntryServiceIntentionsSourceInput)(nil)).Elem(),
		ConfigEntryServiceIntentionsSourceArgs{})
	pulumi.RegisterInputType(reflect.TypeOf((*ConfigEntryServiceIntentionsSourceArrayInput)(nil)).Elem(),
		ConfigEntryServiceIntentionsSourceArray{})
	pulumi.RegisterOutputType(ConfigEntryServiceIntentionsSourceOutput{})
	pulumi.RegisterOutputType(ConfigEntryServiceIntentionsSourceArrayOutput{})
}
