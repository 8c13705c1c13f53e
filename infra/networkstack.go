package infra

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/config"
)

// ExistingNetwork is a VNet and its two subnets that another stack owns; this stack only places NICs in them.
type ExistingNetwork struct {
	VnetID, AppSubnetID, DataSubnetID string
}

var (
	vnetIDPattern   = regexp.MustCompile(`(?i)^/subscriptions/[^/]+/resourceGroups/([^/]+)/providers/Microsoft\.Network/virtualNetworks/([^/]+)$`)
	subnetIDPattern = regexp.MustCompile(`(?i)^(/subscriptions/[^/]+/resourceGroups/[^/]+/providers/Microsoft\.Network/virtualNetworks/[^/]+)/subnets/[^/]+$`)
)

// ReadNetworkStack reads the VNet and subnet ids from the network stack's outputs, then looks the VNet up so
// a wrong region or a vnetCidr that is not the VNet's address space (the NSG rules' source) fails the
// preview instead of the NIC creation. Every problem is reported at once.
func ReadNetworkStack(ctx *pulumi.Context, ns config.NetworkStack, a config.Azure) (*ExistingNetwork, error) {
	ref, err := pulumi.NewStackReference(ctx, "network-stack", &pulumi.StackReferenceArgs{Name: pulumi.String(ns.Stack)})
	if err != nil {
		return nil, fmt.Errorf("%s:networkStack: cannot read stack %s: %w", config.Namespace, ns.Stack, err)
	}
	var problems []string
	read := func(field, output string, pattern *regexp.Regexp, kind string) string {
		d, err := ref.GetOutputDetails(output)
		if err != nil {
			problems = append(problems, fmt.Sprintf("output %q (%s): %v", output, field, err))
			return ""
		}
		v := d.Value
		if v == nil {
			v = d.SecretValue
		}
		s, ok := v.(string)
		switch {
		case v == nil:
			problems = append(problems, fmt.Sprintf("output %q (%s) is missing: the stack exports no such output; set networkStack.%s to the output that holds the %s id", output, field, field, kind))
		case !ok:
			problems = append(problems, fmt.Sprintf("output %q (%s) is a %T, not a %s id string", output, field, v, kind))
		case !pattern.MatchString(s):
			problems = append(problems, fmt.Sprintf("output %q (%s) = %q is not an Azure %s id", output, field, s, kind))
		}
		return s
	}
	n := &ExistingNetwork{
		VnetID:       read("vnetIdOutput", ns.VnetID, vnetIDPattern, "virtual network"),
		AppSubnetID:  read("appSubnetIdOutput", ns.AppSubnetID, subnetIDPattern, "subnet"),
		DataSubnetID: read("dataSubnetIdOutput", ns.DataSubnetID, subnetIDPattern, "subnet"),
	}
	for _, s := range []struct{ field, id string }{{"appSubnetIdOutput", n.AppSubnetID}, {"dataSubnetIdOutput", n.DataSubnetID}} {
		if m := subnetIDPattern.FindStringSubmatch(s.id); m != nil && n.VnetID != "" && !strings.EqualFold(m[1], n.VnetID) {
			problems = append(problems, fmt.Sprintf("%s: subnet %s is not in the virtual network %s", s.field, s.id, n.VnetID))
		}
	}
	if n.AppSubnetID != "" && strings.EqualFold(n.AppSubnetID, n.DataSubnetID) {
		problems = append(problems, "appSubnetIdOutput and dataSubnetIdOutput name the same subnet: Chroma needs its own")
	}
	if len(problems) == 0 {
		problems = append(problems, checkVnet(ctx, n.VnetID, a)...)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s:networkStack: stack %s cannot supply the network (nothing was created):\n  - %s",
			config.Namespace, ns.Stack, strings.Join(problems, "\n  - "))
	}
	return n, nil
}

// checkVnet compares the existing VNet with the settings this stack still uses: its region and vnetCidr.
func checkVnet(ctx *pulumi.Context, vnetID string, a config.Azure) []string {
	m := vnetIDPattern.FindStringSubmatch(vnetID)
	vnet, err := network.LookupVirtualNetwork(ctx, &network.LookupVirtualNetworkArgs{ResourceGroupName: m[1], VirtualNetworkName: m[2]})
	if err != nil {
		return []string{fmt.Sprintf("virtual network %s cannot be read: %v", vnetID, err)}
	}
	var problems []string
	if vnet.Location != nil && !strings.EqualFold(strings.ReplaceAll(*vnet.Location, " ", ""), a.Location) {
		problems = append(problems, fmt.Sprintf("virtual network %s is in %s, but ragmesh:location is %s: VMs must be in the VNet's region", m[2], *vnet.Location, a.Location))
	}
	var space []string
	if vnet.AddressSpace != nil {
		space = vnet.AddressSpace.AddressPrefixes
	}
	if !slices.Contains(space, a.VnetCidr) {
		problems = append(problems, fmt.Sprintf("ragmesh:vnetCidr %s is not an address space of %s (%s): set it to the VNet's range, which the NSG rules admit mesh traffic from", a.VnetCidr, m[2], strings.Join(space, ", ")))
	}
	return problems
}
