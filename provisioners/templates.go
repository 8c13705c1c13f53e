// Package provisioners holds what runs on a host, per role: the Consul agent, the mesh services with their
// sidecars, and ChromaDB. Every script, HCL file and systemd unit is an embedded template file rendered here;
// hosts are reached only through the hosts seam.
package provisioners

import (
	"bytes"
	"embed"
	"fmt"
	"text/template"
)

//go:embed templates/*.tmpl
var templateFiles embed.FS

var templates = template.Must(template.New("").Option("missingkey=error").ParseFS(templateFiles, "templates/*.tmpl"))

// Render fills the named template (a file name under templates/) with data.
func Render(name string, data any) (string, error) {
	var buf bytes.Buffer
	if err := templates.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("rendering %s: %w", name, err)
	}
	return buf.String(), nil
}
