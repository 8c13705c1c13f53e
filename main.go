// Command ragmesh is the Pulumi program entry point; the stack program itself lives in package program so that
// tests and Automation API callers run exactly what `pulumi up` runs.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/ragmesh/ragmesh/program"
)

func main() { pulumi.Run(program.Run) }
