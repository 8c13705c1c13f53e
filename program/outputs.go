package program

// Stack output names: an API other stacks read through StackReference. A rename is a breaking change; the
// README documents each, and outputs_test.go pins them.
const (
	OutputResourceGroupName     = "resourceGroupName"     // string, Azure only
	OutputVnetID                = "vnetId"                // string, Azure only
	OutputAppSubnetID           = "appSubnetId"           // string, Azure only
	OutputDataSubnetID          = "dataSubnetId"          // string, Azure only
	OutputDatacenter            = "consulDatacenter"      // string
	OutputConsulServerAddresses = "consulServerAddresses" // []string, private addresses
	OutputAppAddresses          = "appAddresses"          // []string, private addresses of the app hosts
	OutputChromaAddress         = "chromaAddress"         // string, private address of the chroma host
	OutputConsulCACert          = "consulCaCert"          // string, PEM of the cluster CA (public)
	OutputChromaUpstream        = "chromaUpstream"        // string, what the app dials: 127.0.0.1:8001
	OutputAppEnvFile            = "appEnvFile"            // string, path of the app's settings on app hosts
	OutputMeshServices          = "meshServices"          // map: app, vectorStore → mesh service names
	OutputAllowedIntentions     = "allowedIntentions"     // []string, "source -> destination"
	OutputSelfCheck             = "selfCheck"             // map: enabled, passed, checkedAt, hosts, targets (selfcheck.Output)
	OutputManagementToken       = "consulManagementToken" // string, secret; only with exportManagementToken=true
)
