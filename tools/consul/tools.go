//go:build tools

// Package tools pins Consul v1.16.1, the last MPL-2.0 release, so it can be built from Go modules.
package tools

import _ "github.com/hashicorp/consul"
