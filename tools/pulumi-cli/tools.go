//go:build tools

// Package tools pins the Pulumi CLI so it can be built from Go modules offline.
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
