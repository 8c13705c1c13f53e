package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// The CI workflows users run (.github/workflows) are checked here, in `make unit`, because nothing else runs
// them before a pull request does: they must parse, call make targets and stacks that exist, keep the
// preview → dev → approved prod path, and log in to Azure without a stored secret.

type workflow struct {
	file        string
	On          map[string]any    `yaml:"on"`
	Permissions map[string]string `yaml:"permissions"`
	Env         map[string]string `yaml:"env"`
	Jobs        map[string]job    `yaml:"jobs"`
}

type job struct {
	Needs       any                     `yaml:"needs"`
	Environment string                  `yaml:"environment"`
	Concurrency map[string]any          `yaml:"concurrency"`
	Strategy    struct{ Matrix matrix } `yaml:"strategy"`
	Steps       []step                  `yaml:"steps"`
}

type matrix struct {
	Stack   []string            `yaml:"stack"`
	Include []map[string]string `yaml:"include"`
}

type step struct {
	Name            string            `yaml:"name"`
	Uses            string            `yaml:"uses"`
	Run             string            `yaml:"run"`
	With            map[string]any    `yaml:"with"`
	Env             map[string]string `yaml:"env"`
	ContinueOnError any               `yaml:"continue-on-error"`
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	return root
}

func loadWorkflows(t *testing.T) map[string]workflow {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(t), ".github/workflows/*.y*ml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no workflow files")
	out := map[string]workflow{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		var w workflow
		require.NoError(t, yaml.Unmarshal(raw, &w), f)
		w.file = filepath.Base(f)
		require.NotEmpty(t, w.Jobs, "%s has no jobs", w.file)
		out[w.file] = w
	}
	return out
}

// stacks are the values a job's ${{ matrix.stack }} takes (or nil without a matrix).
func (j job) stacks() []string {
	out := append([]string(nil), j.Strategy.Matrix.Stack...)
	for _, inc := range j.Strategy.Matrix.Include {
		out = append(out, inc["stack"])
	}
	return out
}

// expand replaces ${{ matrix.stack }} by each of the job's stacks.
func (j job) expand(s string) []string {
	if !strings.Contains(s, "${{ matrix.stack }}") {
		return []string{s}
	}
	var out []string
	for _, st := range j.stacks() {
		out = append(out, strings.ReplaceAll(s, "${{ matrix.stack }}", st))
	}
	return out
}

// makeTargets reads the targets the Makefile defines.
func makeTargets(t *testing.T) map[string]bool {
	raw, err := os.ReadFile(filepath.Join(repoRoot(t), "Makefile"))
	require.NoError(t, err)
	targets := map[string]bool{}
	rule := regexp.MustCompile(`^([A-Za-z0-9_.\- ]+):([^=]|$)`)
	for _, line := range strings.Split(string(raw), "\n") {
		if m := rule.FindStringSubmatch(line); m != nil {
			for _, name := range strings.Fields(m[1]) {
				targets[name] = true
			}
		}
	}
	require.True(t, targets["up"] && targets["preview"], "Makefile parse found %v", targets)
	return targets
}

func stackFileExists(t *testing.T, stack string) bool {
	for _, name := range []string{"Pulumi." + stack + ".yaml", "Pulumi." + stack + ".example.yaml"} {
		if _, err := os.Stat(filepath.Join(repoRoot(t), name)); err == nil {
			return true
		}
	}
	return false
}

var (
	makeCall   = regexp.MustCompile(`\bmake\s+([^|;&\n]*)`)
	stackFlag  = regexp.MustCompile(`--stack[ =]+(\S+)`)
	exactPin   = regexp.MustCompile(`^[\w.-]+/[\w.-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$`)
	pulumiStep = "pulumi/actions@"
)

func TestWorkflowStepsCallExistingMakeTargetsAndStacks(t *testing.T) {
	targets := makeTargets(t)
	calls := 0
	for _, w := range loadWorkflows(t) {
		for name, j := range w.Jobs {
			for _, s := range j.Steps {
				for _, run := range j.expand(s.Run) {
					for _, m := range makeCall.FindAllStringSubmatch(run, -1) {
						for _, arg := range strings.Fields(m[1]) {
							if stack, ok := strings.CutPrefix(arg, "STACK="); ok {
								assert.True(t, stackFileExists(t, stack), "%s/%s: make ... STACK=%s has no Pulumi.%s.yaml", w.file, name, stack, stack)
							} else if !strings.Contains(arg, "=") && !strings.HasPrefix(arg, "-") && !strings.HasPrefix(arg, `"`) {
								assert.True(t, targets[arg], "%s/%s: `make %s` is not a Makefile target", w.file, name, arg)
								calls++
							}
						}
					}
					for _, m := range stackFlag.FindAllStringSubmatch(run, -1) {
						assert.True(t, stackFileExists(t, m[1]), "%s/%s: --stack %s has no stack file", w.file, name, m[1])
					}
				}
				if stack, ok := s.With["stack-name"].(string); ok {
					for _, st := range j.expand(stack) {
						assert.True(t, stackFileExists(t, st), "%s/%s: stack-name %s has no stack file", w.file, name, st)
					}
				}
			}
		}
	}
	assert.NotZero(t, calls, "the workflows run the project's make targets")
}

func TestWorkflowActionsArePinnedAndTheCLIMatchesTheSDK(t *testing.T) {
	goMod, err := os.ReadFile(filepath.Join(repoRoot(t), "go.mod"))
	require.NoError(t, err)
	sdk := regexp.MustCompile(`github.com/pulumi/pulumi/sdk/v3 v(\S+)`).FindSubmatch(goMod)
	require.NotNil(t, sdk)
	for _, w := range loadWorkflows(t) {
		for name, j := range w.Jobs {
			for _, s := range j.Steps {
				if s.Uses == "" {
					continue
				}
				assert.Regexp(t, exactPin, s.Uses, "%s/%s: pin actions to an exact version", w.file, name)
				if strings.HasPrefix(s.Uses, pulumiStep) {
					assert.Equal(t, string(sdk[1]), s.With["pulumi-version"], "%s/%s: the CLI version equals the SDK in go.mod", w.file, name)
				}
			}
		}
	}
}

func TestPullRequestsPreviewEveryEnvironmentWithAComment(t *testing.T) {
	w := loadWorkflows(t)["preview.yml"]
	require.Contains(t, w.On, "pull_request")
	assert.Equal(t, "write", w.Permissions["pull-requests"], "the comment needs pull-requests: write")
	var previewed []string
	for name, j := range w.Jobs {
		for _, s := range j.Steps {
			if !strings.HasPrefix(s.Uses, pulumiStep) || s.With["command"] != "preview" {
				continue
			}
			assert.Equal(t, true, s.With["comment-on-pr"], "%s: preview result posted on the PR", name)
			assert.Nil(t, s.ContinueOnError, "%s: a preview error must fail the check", name)
			assert.Equal(t, "${{ secrets.PULUMI_BACKEND_URL }}", s.With["cloud-url"], name)
			previewed = append(previewed, j.expand(s.With["stack-name"].(string))...)
			assert.Equal(t, "pulumi-${{ matrix.stack }}", j.Concurrency["group"], "%s: one operation per stack", name)
		}
	}
	assert.ElementsMatch(t, []string{"dev", "prod"}, previewed, "every environment is previewed")
}

func TestMergesDeployDevThenProdAfterApproval(t *testing.T) {
	w := loadWorkflows(t)["deploy.yml"]
	push, ok := w.On["push"].(map[string]any)
	require.True(t, ok, "deploy runs on push")
	assert.Equal(t, []any{"main"}, push["branches"])
	assert.NotContains(t, w.On, "pull_request", "a pull request never deploys")

	upOf := func(j job) string {
		for _, s := range j.Steps {
			if m := regexp.MustCompile(`make up STACK=(\w+)`).FindStringSubmatch(s.Run); m != nil {
				return m[1]
			}
			if strings.HasPrefix(s.Uses, pulumiStep) && s.With["command"] == "up" {
				return s.With["stack-name"].(string)
			}
		}
		return ""
	}
	dev, prod := w.Jobs["dev"], w.Jobs["prod"]
	assert.Equal(t, "dev", upOf(dev))
	assert.Equal(t, "prod", upOf(prod))
	assert.Equal(t, "production", prod.Environment, "prod waits for the production environment's reviewers")
	assert.Equal(t, "dev", prod.Needs, "prod deploys only after dev succeeded")
	assert.NotEqual(t, "production", dev.Environment)
	for name, j := range w.Jobs {
		assert.Equal(t, "pulumi-"+upOf(j), j.Concurrency["group"], "%s: one operation per stack", name)
	}
}

func TestWorkflowsLogInToAzureWithOIDCAndReadStateSettingsFromSecrets(t *testing.T) {
	for file, w := range loadWorkflows(t) {
		raw, err := os.ReadFile(filepath.Join(repoRoot(t), ".github/workflows", file))
		require.NoError(t, err)
		for _, banned := range []string{"client-secret", "creds:", "ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET", "AZURE_CREDENTIALS"} {
			assert.NotContains(t, string(raw), banned, "%s: Azure login is OIDC only", file)
		}
		assert.Equal(t, "${{ secrets.PULUMI_BACKEND_URL }}", w.Env["PULUMI_BACKEND_URL"], file)
		assert.Equal(t, "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}", w.Env["PULUMI_CONFIG_PASSPHRASE"], file)
		assert.Equal(t, "true", w.Env["ARM_USE_OIDC"], "%s: the azure-native provider uses OIDC too", file)

		for name, j := range w.Jobs {
			runsPulumi := false
			for _, s := range j.Steps {
				runsPulumi = runsPulumi || strings.HasPrefix(s.Uses, pulumiStep)
			}
			if !runsPulumi {
				continue
			}
			assert.Equal(t, "write", w.Permissions["id-token"], "%s: OIDC needs id-token: write", file)
			var login, goSetup *step
			for i, s := range j.Steps {
				switch {
				case strings.HasPrefix(strings.ToLower(s.Uses), "azure/login@"):
					login = &j.Steps[i]
				case strings.HasPrefix(s.Uses, "actions/setup-go@"):
					goSetup = &j.Steps[i]
				}
			}
			require.NotNil(t, login, "%s/%s logs in to Azure", file, name)
			for _, k := range []string{"client-id", "tenant-id", "subscription-id"} {
				assert.Contains(t, login.With, k, "%s/%s: azure/login %s", file, name, k)
			}
			require.NotNil(t, goSetup, "%s/%s sets up Go (the program is Go)", file, name)
			assert.Equal(t, "go.mod", goSetup.With["go-version-file"], "%s/%s", file, name)
			assert.Equal(t, true, goSetup.With["cache"], "%s/%s: Go module cache", file, name)
		}
	}
}
