// Command diagnose names the first broken hop between the app and ChromaDB on a deployed stack, local or Azure:
// it reads the stack's `selfCheck` output (which app hosts, how to reach them, what to expect) and its SSH key
// from the stack's config, then runs the stack's own check script (package selfcheck) in diagnose mode on every
// app host. The key goes to a 0600 file in a private temporary directory, removed on exit; it is never printed.
//
//	diagnose -stack local [-dir .] [-host app] [-json]
//
// Exit status: 0 every host healthy, 1 a hop or check is broken (the report names it), 2 diagnose itself failed.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/ragmesh/ragmesh/selfcheck"
)

func main() {
	// Its own flag set: the Pulumi SDK registers logging flags on the global one, which -h would list.
	fs := flag.NewFlagSet(os.Args[0], flag.ExitOnError)
	stack := fs.String("stack", "", "the Pulumi stack to diagnose (required)")
	dir := fs.String("dir", ".", "the project directory (holds Pulumi.yaml)")
	host := fs.String("host", "", "only this app host (default: every app host)")
	asJSON := fs.Bool("json", false, "print the results as one JSON array on stdout (the report still goes to stderr)")
	_ = fs.Parse(os.Args[1:]) // ExitOnError: a bad flag exits with the usage
	if *stack == "" {
		fmt.Fprintln(os.Stderr, "diagnose: -stack is required (make diagnose STACK=<name>)")
		os.Exit(2)
	}
	results, err := run(context.Background(), *stack, *dir, *host)
	if err != nil {
		fmt.Fprintln(os.Stderr, "diagnose:", err)
		os.Exit(2)
	}
	if *asJSON {
		_ = json.NewEncoder(os.Stdout).Encode(results)
	}
	for _, r := range results {
		if !r.Passed {
			os.Exit(1)
		}
	}
}

// run reads the stack and diagnoses every target.
func run(ctx context.Context, stackName, dir, only string) ([]selfcheck.Result, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	stack, err := auto.SelectStackLocalSource(ctx, stackName, root)
	if err != nil {
		return nil, fmt.Errorf("selecting stack %s in %s: %w", stackName, root, err)
	}
	outputs, err := stack.Outputs(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the outputs of %s: %w", stackName, err)
	}
	out, ok := outputs["selfCheck"]
	if !ok {
		return nil, fmt.Errorf("stack %s has no selfCheck output: run `pulumi up` once with this version of ragmesh", stackName)
	}
	targets, err := decodeTargets(out.Value)
	if err != nil {
		return nil, err
	}
	key, err := stack.GetConfig(ctx, "ragmesh:sshPrivateKey")
	if err != nil {
		return nil, fmt.Errorf("reading ragmesh:sshPrivateKey of %s (the hosts' SSH key): %w", stackName, err)
	}
	tmp, err := os.MkdirTemp("", "ragmesh-diagnose-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	keyFile := filepath.Join(tmp, "id")
	if err := os.WriteFile(keyFile, []byte(strings.TrimSpace(key.Value)+"\n"), 0o600); err != nil {
		return nil, err
	}

	var results []selfcheck.Result
	for _, t := range targets {
		if only != "" && t.Host != only {
			continue
		}
		r, err := diagnose(t, keyFile, filepath.Join(tmp, "known_hosts"))
		if err != nil {
			return nil, fmt.Errorf("host %s (%s): %w", t.Host, t.Address, err)
		}
		results = append(results, r)
	}
	if len(results) == 0 {
		return nil, fmt.Errorf("no app host named %q in stack %s", only, stackName)
	}
	return results, nil
}

// decodeTargets reads the targets from the selfCheck output value (plain JSON values).
func decodeTargets(v any) ([]selfcheck.Target, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out selfcheck.Output
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("the selfCheck output has an unexpected shape: %w", err)
	}
	if len(out.Targets) == 0 {
		return nil, errors.New("the selfCheck output lists no app host")
	}
	return out.Targets, nil
}

// diagnose runs the check script on one app host over SSH; its report streams to stderr.
func diagnose(t selfcheck.Target, keyFile, knownHosts string) (selfcheck.Result, error) {
	script, err := selfcheck.Render(t.Params)
	if err != nil {
		return selfcheck.Result{}, err
	}
	cmd := exec.Command("ssh", SSHArgs(t, keyFile, knownHosts)...)
	cmd.Stdin = strings.NewReader(script)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		return selfcheck.Result{}, fmt.Errorf("running the check over SSH: %w", err)
	}
	return selfcheck.ParseResult(string(stdout))
}

// SSHArgs are the ssh arguments that reach t (through its jump host, if any) with the stack's key only. Host
// keys are accepted on first sight, into a known_hosts file private to this run, as the stack's commands do.
func SSHArgs(t selfcheck.Target, keyFile, knownHosts string) []string {
	common := []string{"-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=15",
		"-o", "StrictHostKeyChecking=accept-new", "-o", "UserKnownHostsFile=" + knownHosts, "-o", "LogLevel=ERROR"}
	args := append([]string{}, common...)
	if j := t.Jump; j != nil {
		proxy := append([]string{"ssh"}, common...)
		proxy = append(proxy, "-p", fmt.Sprint(j.Port), "-W", "%h:%p", j.User+"@"+j.Host)
		args = append(args, "-o", "ProxyCommand="+strings.Join(proxy, " "))
	}
	return append(args, "-p", fmt.Sprint(t.Port), t.User+"@"+t.Address, selfcheck.Command("diagnose"))
}
