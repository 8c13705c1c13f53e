package hosts

import (
	"github.com/pulumi/pulumi-command/sdk/go/command/remote"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Spec is a machine listed in stack config (hostSource=given): any SSH-reachable host, on premises, in another
// cloud, or a local test host.
type Spec struct {
	Role    string `json:"role"`
	Name    string `json:"name"`
	Address string `json:"address"`
	// User defaults to root; a non-root user needs password-less sudo.
	User string `json:"user"`
	// Port defaults to 22.
	Port int `json:"port"`
	// DataDevice (chroma host only, optional) is a block device for Chroma's data; see Host.DataDevice.
	DataDevice string `json:"dataDevice"`
}

// Given turns validated specs into hosts; the private key stays a secret inside each connection.
func Given(specs []Spec, privateKey pulumi.StringInput) Set {
	set := make(Set, 0, len(specs))
	for _, s := range specs {
		user, port := s.User, s.Port
		if user == "" {
			user = "root"
		}
		if port == 0 {
			port = 22
		}
		set = append(set, Host{
			Role:           Role(s.Role),
			Name:           s.Name,
			PrivateAddress: pulumi.String(s.Address).ToStringOutput(),
			DataDevice:     s.DataDevice,
			Connection: remote.ConnectionArgs{
				Host:       pulumi.String(s.Address),
				Port:       pulumi.Float64(port),
				User:       pulumi.String(user),
				PrivateKey: pulumi.ToSecret(privateKey).(pulumi.StringOutput),
			},
		})
	}
	return set
}
