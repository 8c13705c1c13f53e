// Package hosts holds the seam between where machines come from (Azure, or addresses given in stack config)
// and what runs on them. Provisioners, mesh and app code see only []Host, so nothing below this seam can
// reach Azure and their tests never compile the azure-native SDK.
package hosts

import (
	"fmt"

	"github.com/pulumi/pulumi-command/sdk/go/command/remote"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Role is what a machine does in the mesh.
type Role string

const (
	// ConsulServer runs a Consul server agent (1, 3 or 5 of them form the raft quorum).
	ConsulServer Role = "consul-server"
	// App runs the Django app and its sidecar; every app host is an instance of the same mesh service.
	App Role = "app"
	// Chroma runs ChromaDB on loopback and the sidecar that is the only way in.
	Chroma Role = "chroma"
)

// Roles lists every role in provisioning order.
var Roles = []Role{ConsulServer, App, Chroma}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// Host is one machine that is ready for SSH: its role, a stable name, the private address the mesh binds to,
// and how remote commands reach it.
type Host struct {
	Role Role
	// Name is stable across updates; it names the host's resources and its Consul node.
	Name string
	// PrivateAddress is the address Consul binds to and other hosts dial.
	PrivateAddress pulumi.StringOutput
	// Connection is how pulumi-command reaches the host over SSH.
	Connection remote.ConnectionInput
	// Ready are the resources that must exist before anything connects to the host (e.g. its VM).
	Ready []pulumi.Resource
	// DataDevice, when set, is the block device that holds the role's persistent data (Chroma's data
	// directory): formatted if blank, mounted at boot. Empty keeps the data on the root disk.
	DataDevice string
}

// Set is every host of a stack, grouped by role in the order they were given.
type Set []Host

// ByRole returns the hosts of one role in their given order.
func (s Set) ByRole(r Role) []Host {
	var out []Host
	for _, h := range s {
		if h.Role == r {
			out = append(out, h)
		}
	}
	return out
}

// Addresses returns the private addresses of the hosts of one role.
func (s Set) Addresses(r Role) pulumi.StringArray {
	var out pulumi.StringArray
	for _, h := range s.ByRole(r) {
		out = append(out, h.PrivateAddress)
	}
	return out
}

// Check confirms the set can form a mesh: 1, 3 or 5 servers, one Chroma host, at least one app host,
// unique names. Both host sources call it, so a mistake is caught before any resource exists.
func (s Set) Check() error {
	seen := map[string]bool{}
	for _, h := range s {
		if seen[h.Name] {
			return fmt.Errorf("host name %q is used twice: host names must be unique", h.Name)
		}
		seen[h.Name] = true
	}
	switch n := len(s.ByRole(ConsulServer)); n {
	case 1, 3, 5:
	default:
		return fmt.Errorf("%d Consul server hosts: a quorum needs 1, 3 or 5", n)
	}
	if n := len(s.ByRole(Chroma)); n != 1 {
		return fmt.Errorf("%d chroma hosts: exactly one is supported", n)
	}
	if len(s.ByRole(App)) == 0 {
		return fmt.Errorf("no app host: at least one is needed")
	}
	return nil
}
