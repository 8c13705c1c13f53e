package tests

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/require"

	"github.com/ragmesh/ragmesh/app"
	"github.com/ragmesh/ragmesh/provisioners"
)

// Fault drills: a piece of the running mesh fails and traffic must come back by itself, without `pulumi up`.
// Each drill ends with the full mesh verification, so the suites after it start from a working mesh.

// recoveryLimit is how soon the mesh path must carry traffic again after a process dies.
const recoveryLimit = 30 * time.Second

// chromaSidecarUnit is the systemd unit of the chroma service's sidecar on the chroma host.
var chromaSidecarUnit = provisioners.ChromaService + "-chroma-sidecar.service"

func init() {
	register(60, "drill: killed chroma sidecar comes back without pulumi up", func(t *testing.T, e *env) {
		before := e.mainPID(t, "chroma", chromaSidecarUnit)
		start := time.Now()
		out, err := e.ssh("chroma", "", fmt.Sprintf("kill -KILL %d", before))
		require.NoError(t, err, out)
		took := e.waitMeshBack(t, start, recoveryLimit)
		t.Logf("sidecar (pid %d) killed: mesh path back after %s", before, took.Round(10*time.Millisecond))
		require.NotEqual(t, before, e.mainPID(t, "chroma", chromaSidecarUnit), "the sidecar was not replaced")
		e.verify(t, false)
	})

	register(61, "drill: restarted consul agent on the chroma host, traffic comes back", func(t *testing.T, e *env) {
		before := e.mainPID(t, "chroma", "consul.service")
		start := time.Now()
		out, err := e.ssh("chroma", "", "systemctl restart consul.service")
		require.NoError(t, err, out)
		took := e.waitMeshBack(t, start, recoveryLimit)
		t.Logf("consul agent restarted: mesh path back after %s", took.Round(10*time.Millisecond))
		require.NotEqual(t, before, e.mainPID(t, "chroma", "consul.service"), "the agent did not restart")
		e.verify(t, false)
	})

	register(62, "drill: rebooted chroma host keeps its data and the mesh path", func(t *testing.T, e *env) {
		const name = "ragmesh-drill-reboot"
		written := e.drillCollection(t, "write", name)
		// The e2e run holds the hosts lock already: call the script directly.
		start := time.Now()
		reboot := exec.Command(filepath.Join(e.root, "tools/hosts/hosts.sh"), "reboot", "chroma")
		out, err := reboot.CombinedOutput()
		require.NoError(t, err, string(out))
		took := e.waitMeshBack(t, start, 3*time.Minute)
		t.Logf("chroma host rebooted: mesh path back %s after the reboot began", took.Round(10*time.Millisecond))
		read := e.drillCollection(t, "check", name)
		require.Equal(t, written, read, "the collection changed across the reboot")
		e.drillCollection(t, "delete", name)
		e.verify(t, false)
	})

	register(63, "drill: interrupted pulumi up converges on the next up", func(t *testing.T, e *env) {
		ctx := context.Background()
		const extra = 6
		edges := `[{"source":"django-app","destination":"chromadb"}`
		for i := range extra {
			edges += fmt.Sprintf(`,{"source":"django-app","destination":"drill-%d"}`, i)
		}
		edges += "]"
		// The key is typed array<object>: its text in value, the same object in objectValue.
		require.NoError(t, e.stack.SetAllConfigJson(ctx,
			fmt.Sprintf(`{"ragmesh:intentions":{"value":%s,"objectValue":%s,"secret":false}}`, strconv.Quote(edges), edges), nil))
		t.Cleanup(func() { _ = e.stack.RemoveConfig(ctx, "ragmesh:intentions") })

		// One step at a time, interrupted (SIGINT through the context) once the first new intention exists.
		upCtx, interrupt := context.WithCancel(ctx)
		defer interrupt()
		ch := make(chan events.EngineEvent)
		created := make(chan int, 1)
		go func() {
			n := 0
			for ev := range ch {
				if o := ev.ResOutputsEvent; o != nil && o.Metadata.Op == apitype.OpCreate && strings.HasSuffix(o.Metadata.Type, ":ConfigEntryServiceIntentions") {
					n++
					interrupt()
				}
			}
			created <- n
		}()
		_, err := e.stack.Up(upCtx, optup.Parallel(1), optup.EventStreams(ch),
			optup.ProgressStreams(os.Stdout), optup.ErrorProgressStreams(os.Stderr))
		var before int
		select {
		case before = <-created:
		case <-time.After(10 * time.Second): // the stream is never closed if the engine did not start
			t.Fatalf("the interrupted up never started the engine: %v", err)
		}
		require.Error(t, err, "the up finished before the interrupt reached it")
		t.Logf("up interrupted after creating %d of %d new intentions", before, extra)
		require.Less(t, before, extra)

		// No manual step: the next up finishes the job, and the one after has nothing to do.
		res := e.up(t)
		require.Equal(t, extra-before, (*res.Summary.ResourceChanges)["create"], "%v", *res.Summary.ResourceChanges)
		e.up(t, optup.ExpectNoChanges())
		e.verify(t, false)

		require.NoError(t, e.stack.RemoveConfig(ctx, "ragmesh:intentions"))
		res = e.up(t)
		require.Equal(t, extra, (*res.Summary.ResourceChanges)["delete"], "%v", *res.Summary.ResourceChanges)
		e.verify(t, false)
	})
}

// mainPID is the main process of a systemd unit on a host; it fails the test if the unit has none.
func (e *env) mainPID(t *testing.T, host, unit string) int {
	t.Helper()
	out, err := e.ssh(host, "", "systemctl show -p MainPID --value "+unit)
	require.NoError(t, err, out)
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	require.NoError(t, err, out)
	require.NotZero(t, pid, "%s has no running process on %s", unit, host)
	return pid
}

// meshProbe runs on the app host: Chroma's heartbeat through the app's upstream, polled until it has answered
// without a miss for 15 s — longer than a health-check interval, so a path that only seems back (cached while an
// agent re-registers its checks) does not count; it prints the wall-clock millisecond of the first answer of that
// run and how many probes failed before.
const meshProbe = `deadline=$((SECONDS + %d)); streak=0; failed=0; first=0
while [ $SECONDS -lt $deadline ]; do
  if curl -sf -m 2 -o /dev/null http://%s/api/v2/heartbeat; then
    [ $streak -eq 0 ] && first=$(date +%%s%%3N)
    streak=$((streak + 1))
    [ $(( $(date +%%s%%3N) - first )) -ge 15000 ] && { echo "$first $failed"; exit 0; }
  else
    streak=0; failed=$((failed + 1))
  fi
  sleep 0.2
done
echo "mesh path not back: $failed failed probes" >&2; exit 1`

// waitMeshBack waits until the mesh path answers steadily and requires that it did within limit of start.
func (e *env) waitMeshBack(t *testing.T, start time.Time, limit time.Duration) time.Duration {
	t.Helper()
	budget := int(time.Until(start.Add(limit)).Seconds()) + 20 // the 15 s of steady answers come on top
	out, err := e.ssh("app", "", fmt.Sprintf(meshProbe, max(budget, 5), app.UpstreamAddress))
	require.NoError(t, err, out)
	var firstMs int64
	var failed int
	_, err = fmt.Sscan(lastLine(out), &firstMs, &failed)
	require.NoError(t, err, out)
	took := time.UnixMilli(firstMs).Sub(start)
	t.Logf("%d probes failed before the path was back", failed)
	require.LessOrEqual(t, took, limit, "mesh path back only after %s", took)
	return took
}

// drillCollection runs tests/scripts/drill-collection.py on the app host and returns its JSON line.
func (e *env) drillCollection(t *testing.T, action, name string) string {
	t.Helper()
	script, err := os.ReadFile(filepath.Join(e.root, "tests/scripts/drill-collection.py"))
	require.NoError(t, err)
	out, err := e.ssh("app", string(script), "python3 - "+action+" "+name)
	require.NoError(t, err, "%s %s: %s", action, name, out)
	return lastLine(out)
}
