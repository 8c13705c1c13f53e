// Package provisioners holds what runs on a host, per role: the Consul agent, the mesh services with their
// sidecars, and ChromaDB. Every script, HCL file and systemd unit is an embedded template file rendered here;
// hosts are reached only through the hosts seam.
package provisioners

import (
	"embed"

	"github.com/ragmesh/ragmesh/render"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

var templates = render.Parse(templateFiles, nil)

// Render fills the named template (a file name under templates/) with data.
func Render(name string, data any) (string, error) { return templates.Render(name, data) }
