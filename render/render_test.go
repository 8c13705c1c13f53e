package render

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRenderFailsOnAMissingKey(t *testing.T) {
	set := Parse(fstest.MapFS{"templates/a.tmpl": {Data: []byte("port = {{.Port}}")}}, nil)
	out, err := set.Render("a.tmpl", map[string]int{"Port": 8000})
	require.NoError(t, err)
	assert.Equal(t, "port = 8000", out)
	_, err = set.Render("a.tmpl", map[string]int{"Prot": 8000})
	assert.ErrorContains(t, err, "a.tmpl")
}
