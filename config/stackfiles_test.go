package config

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// stackSettings reads a stack file's ragmesh keys as the engine would pass them (objects as JSON).
func stackSettings(t *testing.T, file string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(file)
	require.NoError(t, err)
	var stack struct {
		Config map[string]any `yaml:"config"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &stack))
	out := map[string]string{}
	for k, v := range stack.Config {
		key, ok := strings.CutPrefix(k, Namespace+":")
		if !ok {
			continue
		}
		switch v.(type) {
		case map[string]any, []any:
			b, err := json.Marshal(v)
			require.NoError(t, err)
			out[key] = string(b)
		default:
			out[key] = fmt.Sprint(v)
		}
	}
	return out
}

func TestStackFilesAreValidOnceTheSecretKeyIsSet(t *testing.T) {
	for file, want := range map[string][2]int{"../Pulumi.dev.yaml": {1, 1}, "../Pulumi.prod.example.yaml": {3, 2}} {
		s := stackSettings(t, file)
		assert.NotContains(t, s, "sshPrivateKey", "%s must not hold a private key", file)
		s["sshPrivateKey"] = "set by the user as a secret"
		load(t, s, func(_ *pulumi.Context, c *Config, err error) {
			require.NoError(t, err, file)
			assert.Equal(t, want[0], c.Azure.ConsulServerCount, file)
			assert.Equal(t, want[1], c.Azure.AppVMCount, file)
		})
	}
}

func TestDevStackWithoutThePrivateKeyFailsClearly(t *testing.T) {
	load(t, stackSettings(t, "../Pulumi.dev.yaml"), func(_ *pulumi.Context, c *Config, err error) {
		require.Error(t, err)
		assert.Contains(t, err.Error(), "ragmesh:sshPrivateKey is missing")
		var problems Errors
		require.ErrorAs(t, err, &problems)
		assert.Len(t, problems, 1, "the key is the only thing missing")
	})
}

// TestCommittedStackFilesHoldNoSecrets guards against a run's secret (e.g. the demo's SSH key, which `make demo`
// sets per machine) being committed: stack files in the repository carry no `secure:` values.
func TestCommittedStackFilesHoldNoSecrets(t *testing.T) {
	files, err := filepath.Glob("../Pulumi.*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out, err := exec.Command("git", append([]string{"ls-files", "--"}, files...)...).Output()
	if err != nil {
		t.Skip("not a git checkout")
	}
	for _, f := range strings.Fields(string(out)) {
		committed, err := exec.Command("git", "show", "HEAD:./"+f).Output()
		if err != nil {
			continue // added but not committed yet
		}
		assert.NotContains(t, string(committed), "secure:", "%s holds an encrypted secret in the committed version", f)
	}
}
