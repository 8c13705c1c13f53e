package infra

import (
	"sort"

	"github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/hosts"
)

// Ports the mesh uses. Chroma's own port (8000) is deliberately absent: Chroma listens on loopback and the
// only way in from another machine is its sidecar's public listener.
const (
	PortSSH          = "22"
	PortConsulHTTPS  = "8501"
	PortConsulRPC    = "8300"
	PortSerfLAN      = "8301"
	PortSidecarRange = "21000-21255"
)

// Rule is one inbound NSG rule in plain values, so the policy can be read and tested without Azure.
type Rule struct {
	Name     string
	Priority int
	Allow    bool
	Protocol string // Tcp, Udp or *
	Source   string // a CIDR or an Azure service tag
	Ports    string // a port, a range, or *
}

// Access is the Azure spelling of Allow.
func (r Rule) Access() string {
	if r.Allow {
		return "Allow"
	}
	return "Deny"
}

// rulesFor returns the inbound rules a NIC of the given roles needs, ordered by priority. A subnet's NSG is
// built from the roles that live in it, so it admits exactly the union of what its NICs admit.
// Everything not allowed here ends at the explicit denies: other VNet traffic, the internet, then anything.
func rulesFor(vnetCidr, operatorCidr string, roles ...hosts.Role) []Rule {
	has := map[hosts.Role]bool{}
	for _, r := range roles {
		has[r] = true
	}
	rules := []Rule{
		{Name: "allow-ssh-from-operator", Priority: 100, Allow: true, Protocol: "Tcp", Source: operatorCidr, Ports: PortSSH},
		{Name: "allow-serf-lan-tcp", Priority: 210, Allow: true, Protocol: "Tcp", Source: vnetCidr, Ports: PortSerfLAN},
		{Name: "allow-serf-lan-udp", Priority: 211, Allow: true, Protocol: "Udp", Source: vnetCidr, Ports: PortSerfLAN},
		{Name: "deny-other-vnet-inbound", Priority: 4000, Protocol: "*", Source: "VirtualNetwork", Ports: "*"},
		{Name: "deny-internet-inbound", Priority: 4010, Protocol: "*", Source: "Internet", Ports: "*"},
		{Name: "deny-all-inbound", Priority: 4096, Protocol: "*", Source: "*", Ports: "*"},
	}
	if has[hosts.ConsulServer] {
		rules = append(rules,
			Rule{Name: "allow-consul-https-from-operator", Priority: 110, Allow: true, Protocol: "Tcp", Source: operatorCidr, Ports: PortConsulHTTPS},
			Rule{Name: "allow-consul-rpc", Priority: 200, Allow: true, Protocol: "Tcp", Source: vnetCidr, Ports: PortConsulRPC},
		)
	}
	if has[hosts.App] || has[hosts.Chroma] {
		rules = append(rules,
			Rule{Name: "allow-sidecar-public-listeners", Priority: 220, Allow: true, Protocol: "Tcp", Source: vnetCidr, Ports: PortSidecarRange},
		)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].Priority < rules[j].Priority })
	return rules
}

// securityRules turns rules into the NSG's inline rule list.
func securityRules(rules []Rule) network.SecurityRuleTypeArray {
	out := make(network.SecurityRuleTypeArray, 0, len(rules))
	for _, r := range rules {
		out = append(out, network.SecurityRuleTypeArgs{
			Name:                     pulumi.String(r.Name),
			Priority:                 pulumi.Int(r.Priority),
			Direction:                pulumi.String("Inbound"),
			Access:                   pulumi.String(r.Access()),
			Protocol:                 pulumi.String(r.Protocol),
			SourceAddressPrefix:      pulumi.String(r.Source),
			SourcePortRange:          pulumi.String("*"),
			DestinationAddressPrefix: pulumi.String("*"),
			DestinationPortRange:     pulumi.String(r.Ports),
		})
	}
	return out
}
