// Command pulumi-resource-command is an offline test double for the pulumi-command provider plugin v1.2.1.
// See README.md for what it supports and what it refuses.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"ragmesh.local/tools/standins/command/internal/provider"
)

func main() {
	err := pprovider.Main("command", func(host *pprovider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		var log provider.Logger
		if host != nil {
			log = host
		}
		return plugin.NewProviderServer(provider.New(log)), nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
