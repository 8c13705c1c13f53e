// Package infra is the Azure host source: a resource group, a VNet with an app and a data subnet (or those of
// a network stack, read through a StackReference), NSGs that admit only what the mesh needs, and the VMs of
// every role. It yields hosts.Set and provisions nothing, so
// everything below the seam works the same on any SSH-reachable machine.
package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/authorization/v2"
	"github.com/pulumi/pulumi-command/sdk/go/command/remote"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/config"
	"github.com/ragmesh/ragmesh/hosts"
)

// AutoJoinTagName is the NIC tag Consul's Azure cloud auto-join looks for (reserved in config, so a user's tags
// cannot override it).
const AutoJoinTagName = config.AutoJoinTagName

// AutoJoinTag is the tag on every NIC of one stack.
type AutoJoinTag struct{ Name, Value string }

// AutoJoin is the Consul retry_join string that finds the stack's NICs through Azure's API. It names no
// credentials: the agent falls back to the VM's managed identity, which the servers are granted Reader for.
func AutoJoin(tag AutoJoinTag, subscriptionID string) string {
	return fmt.Sprintf("provider=azure tag_name=%s tag_value=%s subscription_id=%s", tag.Name, tag.Value, subscriptionID)
}

// New declares the Azure network and VMs and returns the network (for the stack outputs and RetryJoin) with
// the hosts the VMs make. cfg must be validated.
func New(ctx *pulumi.Context, cfg *config.Config, opts ...pulumi.ResourceOption) (*Network, hosts.Set, error) {
	a := cfg.Azure
	client, err := authorization.GetClientConfig(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the Azure subscription (is the azure-native provider configured?): %w", err)
	}
	prefix := fmt.Sprintf("%s-%s", ctx.Project(), ctx.Stack())
	rgName := a.ResourceGroupName
	if rgName == "" {
		rgName = prefix + "-rg"
	}
	tags := map[string]string{config.StackTagName: prefix}
	for k, v := range a.Tags {
		tags[k] = v
	}

	var existing *ExistingNetwork
	if a.NetworkStack != nil {
		if existing, err = ReadNetworkStack(ctx, *a.NetworkStack, a); err != nil {
			return nil, nil, err
		}
	}
	net, err := NewNetwork(ctx, "network", &NetworkArgs{
		Prefix:              prefix,
		Location:            a.Location,
		ResourceGroupName:   rgName,
		CreateResourceGroup: a.CreateResourceGroup,
		VnetCidr:            a.VnetCidr,
		AppSubnetCidr:       a.AppSubnetCidr,
		DataSubnetCidr:      a.DataSubnetCidr,
		OperatorCidr:        a.OperatorCidr,
		Tags:                tags,
		Existing:            existing,
	}, opts...)
	if err != nil {
		return nil, nil, err
	}
	tag := AutoJoinTag{Name: AutoJoinTagName, Value: prefix}
	net.RetryJoin = AutoJoin(tag, client.SubscriptionId)
	vmArgs := func(size string) VMArgs {
		return VMArgs{
			Network: net, Prefix: prefix, Size: size, Image: a.Image, AdminUser: a.AdminUser,
			SSHPublicKey: a.SSHPublicKey, Tags: tags, AutoJoinTag: tag, SubscriptionID: client.SubscriptionId,
		}
	}

	var set hosts.Set
	for i := 0; i < a.ConsulServerCount; i++ {
		args := vmArgs(a.VMSizes.ConsulServer)
		args.ReaderScope = net.ResourceGroupID
		s, err := NewConsulServer(ctx, fmt.Sprintf("consul-server-%d", i), &args, opts...)
		if err != nil {
			return nil, nil, err
		}
		set = append(set, host(&s.VM, cfg))
	}
	for i := 0; i < a.AppVMCount; i++ {
		args := vmArgs(a.VMSizes.App)
		v, err := NewAppVM(ctx, fmt.Sprintf("app-%d", i), &args, opts...)
		if err != nil {
			return nil, nil, err
		}
		set = append(set, host(&v.VM, cfg))
	}
	chroma, err := NewChromaVM(ctx, "chroma", &ChromaVMArgs{VMArgs: vmArgs(a.VMSizes.Chroma), DataDiskGB: a.ChromaDataDiskGB}, opts...)
	if err != nil {
		return nil, nil, err
	}
	set = append(set, host(&chroma.VM, cfg))

	if err := set.Check(); err != nil {
		return nil, nil, err
	}
	return net, set, nil
}

// host turns a VM into the seam's view of it: reached over SSH on its private address, through the jump
// host when one is configured.
func host(v *VM, cfg *config.Config) hosts.Host {
	a := cfg.Azure
	conn := remote.ConnectionArgs{
		Host:       v.PrivateAddress,
		User:       pulumi.String(a.AdminUser),
		PrivateKey: cfg.SSHPrivateKey,
		// A fresh VM's sshd answers a minute or two after Azure reports the VM created.
		DialErrorLimit: pulumi.Int(30),
	}
	if j := a.JumpHost; j != nil {
		proxy := &remote.ProxyConnectionArgs{Host: pulumi.String(j.Host), User: pulumi.String(a.AdminUser), PrivateKey: cfg.SSHPrivateKey}
		if j.User != "" {
			proxy.User = pulumi.String(j.User)
		}
		if j.Port != 0 {
			proxy.Port = pulumi.Float64(float64(j.Port))
		}
		conn.Proxy = proxy
	}
	return hosts.Host{Role: v.Role, Name: v.Name, PrivateAddress: v.PrivateAddress, Connection: conn, Ready: v.Ready(),
		DataDevice: v.DataDevice}
}
