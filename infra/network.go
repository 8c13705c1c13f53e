package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/hosts"
)

// NetworkArgs are the settings of the network every VM sits in.
type NetworkArgs struct {
	// Prefix starts every Azure name, so two stacks can share a resource group.
	Prefix   string
	Location string
	// ResourceGroupName names the group; CreateResourceGroup false means it exists already and is only looked up.
	ResourceGroupName   string
	CreateResourceGroup bool
	VnetCidr            string
	AppSubnetCidr       string
	DataSubnetCidr      string
	// OperatorCidr is the only source of SSH and of the Consul HTTPS API.
	OperatorCidr string
	Tags         map[string]string
	// Existing, when set, is a VNet and subnets another stack owns: no VNet, subnet or subnet NSG is declared.
	Existing *ExistingNetwork
}

// Network is the resource group, VNet, the app and data subnets, and one NSG per role and per subnet.
type Network struct {
	pulumi.ResourceState

	ResourceGroupName pulumi.StringOutput
	// ResourceGroupID scopes the servers' read access for cloud auto-join.
	ResourceGroupID pulumi.StringOutput
	Location        string
	VnetID          pulumi.StringOutput
	AppSubnetID     pulumi.StringOutput
	DataSubnetID    pulumi.StringOutput
	// RetryJoin is the Consul cloud auto-join string that finds this stack's NICs (set by New).
	RetryJoin string
	// RoleNSGIDs are the NSGs attached to each role's NICs.
	RoleNSGIDs map[hosts.Role]pulumi.StringOutput
	// ready are the resources a NIC must wait for (both subnets: Azure serialises subnet writes).
	ready []pulumi.Resource
}

// NewNetwork declares the network. Subnets are standalone resources (never inline in the VNet, which would
// make the two fight over them) and carry their NSG explicitly. With args.Existing only the resource group and
// the per-role NSGs (on the NICs) are declared; the subnets' own NSGs are the network stack's business.
func NewNetwork(ctx *pulumi.Context, name string, args *NetworkArgs, opts ...pulumi.ResourceOption) (*Network, error) {
	n := &Network{Location: args.Location, RoleNSGIDs: map[hosts.Role]pulumi.StringOutput{}}
	if err := ctx.RegisterComponentResource("ragmesh:infra:Network", name, n, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(n)
	tags := pulumi.ToStringMap(args.Tags)

	if args.CreateResourceGroup {
		rg, err := resources.NewResourceGroup(ctx, name+"-rg", &resources.ResourceGroupArgs{
			ResourceGroupName: pulumi.String(args.ResourceGroupName),
			Location:          pulumi.String(args.Location),
			Tags:              tags,
		}, parent)
		if err != nil {
			return nil, err
		}
		n.ResourceGroupName, n.ResourceGroupID = rg.Name, rg.ID().ToStringOutput()
	} else {
		rg, err := resources.LookupResourceGroup(ctx, &resources.LookupResourceGroupArgs{ResourceGroupName: args.ResourceGroupName}, pulumi.Parent(n))
		if err != nil {
			return nil, fmt.Errorf("resource group %q (createResourceGroup=false) cannot be read: %w", args.ResourceGroupName, err)
		}
		n.ResourceGroupName, n.ResourceGroupID = pulumi.String(rg.Name).ToStringOutput(), pulumi.String(rg.Id).ToStringOutput()
	}
	rgName := n.ResourceGroupName

	nsg := func(suffix string, rules []Rule) (*network.NetworkSecurityGroup, error) {
		return network.NewNetworkSecurityGroup(ctx, name+"-nsg-"+suffix, &network.NetworkSecurityGroupArgs{
			NetworkSecurityGroupName: pulumi.String(args.Prefix + "-" + suffix),
			ResourceGroupName:        rgName,
			Location:                 pulumi.String(args.Location),
			SecurityRules:            securityRules(rules),
			Tags:                     tags,
		}, parent)
	}
	for _, role := range hosts.Roles {
		g, err := nsg(string(role), rulesFor(args.VnetCidr, args.OperatorCidr, role))
		if err != nil {
			return nil, err
		}
		n.RoleNSGIDs[role] = g.ID().ToStringOutput()
	}
	if e := args.Existing; e != nil {
		n.VnetID = pulumi.String(e.VnetID).ToStringOutput()
		n.AppSubnetID = pulumi.String(e.AppSubnetID).ToStringOutput()
		n.DataSubnetID = pulumi.String(e.DataSubnetID).ToStringOutput()
		return n, n.registerOutputs(ctx)
	}
	appNSG, err := nsg("app-subnet", rulesFor(args.VnetCidr, args.OperatorCidr, SubnetRoles(AppSubnet)...))
	if err != nil {
		return nil, err
	}
	dataNSG, err := nsg("data-subnet", rulesFor(args.VnetCidr, args.OperatorCidr, SubnetRoles(DataSubnet)...))
	if err != nil {
		return nil, err
	}

	vnet, err := network.NewVirtualNetwork(ctx, name+"-vnet", &network.VirtualNetworkArgs{
		VirtualNetworkName: pulumi.String(args.Prefix + "-vnet"),
		ResourceGroupName:  rgName,
		Location:           pulumi.String(args.Location),
		AddressSpace:       &network.AddressSpaceArgs{AddressPrefixes: pulumi.StringArray{pulumi.String(args.VnetCidr)}},
		Tags:               tags,
	}, parent)
	if err != nil {
		return nil, err
	}
	appSubnet, err := network.NewSubnet(ctx, name+"-subnet-app", &network.SubnetArgs{
		SubnetName:           pulumi.String(AppSubnet),
		ResourceGroupName:    rgName,
		VirtualNetworkName:   vnet.Name,
		AddressPrefix:        pulumi.String(args.AppSubnetCidr),
		NetworkSecurityGroup: &network.NetworkSecurityGroupTypeArgs{Id: appNSG.ID()},
	}, parent)
	if err != nil {
		return nil, err
	}
	// Azure rejects concurrent writes to subnets of one VNet, so the second waits for the first.
	dataSubnet, err := network.NewSubnet(ctx, name+"-subnet-data", &network.SubnetArgs{
		SubnetName:           pulumi.String(DataSubnet),
		ResourceGroupName:    rgName,
		VirtualNetworkName:   vnet.Name,
		AddressPrefix:        pulumi.String(args.DataSubnetCidr),
		NetworkSecurityGroup: &network.NetworkSecurityGroupTypeArgs{Id: dataNSG.ID()},
	}, parent, pulumi.DependsOn([]pulumi.Resource{appSubnet}))
	if err != nil {
		return nil, err
	}

	n.VnetID = vnet.ID().ToStringOutput()
	n.AppSubnetID = appSubnet.ID().ToStringOutput()
	n.DataSubnetID = dataSubnet.ID().ToStringOutput()
	n.ready = []pulumi.Resource{appSubnet, dataSubnet}
	return n, n.registerOutputs(ctx)
}

func (n *Network) registerOutputs(ctx *pulumi.Context) error {
	return ctx.RegisterResourceOutputs(n, pulumi.Map{
		"resourceGroupName": n.ResourceGroupName,
		"vnetId":            n.VnetID,
		"appSubnetId":       n.AppSubnetID,
		"dataSubnetId":      n.DataSubnetID,
	})
}

// Subnet names.
const (
	AppSubnet  = "app"
	DataSubnet = "data"
)

// SubnetRoles lists the roles whose VMs sit in a subnet: Consul servers share the app subnet, Chroma is alone.
func SubnetRoles(subnet string) []hosts.Role {
	if subnet == DataSubnet {
		return []hosts.Role{hosts.Chroma}
	}
	return []hosts.Role{hosts.ConsulServer, hosts.App}
}

// subnetID returns the subnet a role's VMs go in.
func (n *Network) subnetID(role hosts.Role) pulumi.StringOutput {
	if role == hosts.Chroma {
		return n.DataSubnetID
	}
	return n.AppSubnetID
}
