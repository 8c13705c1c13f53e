// Package enginetest proves the consul stand-in through the real Pulumi engine: an Automation API program
// built on the project's own pulumi-consul binding (mesh/consul) runs up, up again, refresh and destroy
// against a throwaway Consul dev agent. It is a separate module so the stand-in never depends on the program.
package enginetest
