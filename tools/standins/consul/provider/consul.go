package provider

import "github.com/hashicorp/consul/api"

// consulClient is the Consul API client the operations use.
type consulClient = api.Client

// writeOptions scopes a write to the namespace and partition of the inputs (Consul Enterprise only).
func writeOptions(m map[string]any) *api.WriteOptions {
	return &api.WriteOptions{Namespace: str(m, "namespace"), Partition: str(m, "partition")}
}

// queryOptions scopes a read like writeOptions.
func queryOptions(m map[string]any) *api.QueryOptions {
	return &api.QueryOptions{Namespace: str(m, "namespace"), Partition: str(m, "partition")}
}
