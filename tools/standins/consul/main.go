// Command pulumi-resource-consul is the offline stand-in for the pulumi-consul 3.15.1 resource provider.
// It is a test double for local runs and CI only; see README.md for what it supports.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumiprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"ragmesh.local/tools/standins/consul/provider"
)

func main() {
	serve := func(*pulumiprovider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return plugin.NewProviderServer(provider.New()), nil
	}
	if err := pulumiprovider.Main("consul", serve); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
