// Package consul is a small typed binding for the pulumi-consul provider: only the resources the mesh uses.
//
// The upstream Go SDK cannot be fetched on our build machines, but users run the real pulumi-resource-consul
// plugin, so every type token, property name and the plugin version below follow the 3.15.1 provider schema
// exactly (a test checks them against the schema). The shapes mirror Pulumi's generated Go SDKs so that moving
// to the upstream SDK later is a change of import path.
package consul

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// PluginVersion is the pulumi-resource-consul version every resource and invoke asks the engine for.
const PluginVersion = "3.15.1"

// Type tokens of the provider schema that this binding registers.
const (
	ProviderType                     = "pulumi:providers:consul"
	ConfigEntryServiceIntentionsType = "consul:index/configEntryServiceIntentions:ConfigEntryServiceIntentions"
	AclPolicyType                    = "consul:index/aclPolicy:AclPolicy"
	AclTokenType                     = "consul:index/aclToken:AclToken"
	GetAclTokenSecretIdToken         = "consul:index/getAclTokenSecretId:getAclTokenSecretId"
)

// withVersion pins the plugin version, as generated SDKs do, so the engine loads exactly 3.15.1.
func withVersion(opts []pulumi.ResourceOption) []pulumi.ResourceOption {
	return append([]pulumi.ResourceOption{pulumi.Version(PluginVersion)}, opts...)
}

// withInvokeVersion is withVersion for invokes.
func withInvokeVersion(opts []pulumi.InvokeOption) []pulumi.InvokeOption {
	return append([]pulumi.InvokeOption{pulumi.Version(PluginVersion)}, opts...)
}
