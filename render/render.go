// Package render fills a package's embedded template files — every script, HCL file and unit a host gets —
// strictly: a missing key is an error, so a renamed field never becomes an empty setting on a host.
package render

import (
	"bytes"
	"fmt"
	"io/fs"
	"text/template"
)

// Set is the parsed templates/*.tmpl files of one package.
type Set struct{ t *template.Template }

// Parse reads templates/*.tmpl from files; funcs may be nil. It panics on a malformed template, which the
// owning package's tests catch.
func Parse(files fs.FS, funcs template.FuncMap) *Set {
	return &Set{t: template.Must(template.New("").Option("missingkey=error").Funcs(funcs).ParseFS(files, "templates/*.tmpl"))}
}

// Render fills the named template (its file name) with data.
func (s *Set) Render(name string, data any) (string, error) {
	var buf bytes.Buffer
	if err := s.t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("rendering %s: %w", name, err)
	}
	return buf.String(), nil
}
