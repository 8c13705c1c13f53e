package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sample() *Result {
	r := &Result{Date: "2026-01-02T03:04:05Z", Machine: Machine{CPUs: 2, CPUModel: "test cpu", MemoryGiB: 24}}
	r.Converge = Converge{
		Fresh: Update{Seconds: 20, Touched: 40, RemoteCommands: 30}, VerifySeconds: 1, FreshTotalSeconds: 21,
		Noop:         Update{Seconds: 4},
		IntentionAdd: Update{Seconds: 5, Touched: 2, SelfCheck: 1}, IntentionRemove: Update{Seconds: 5, Touched: 2},
	}
	r.Collection = Collection{Name: benchCollection, Documents: 1000, Dim: 384}
	for _, l := range []Latency{
		{Path: PathDirect, Kind: "query", Mode: "pooled", P50: 2, P95: 3, P99: 4, RPS: 400},
		{Path: PathMesh, Kind: "query", Mode: "pooled", P50: 2.4, P95: 3.5, P99: 5.5, RPS: 300},
		{Path: PathDirect, Kind: "heartbeat", Mode: "new", P50: 0.5, P99: 1, RPS: 1500},
		{Path: PathMesh, Kind: "heartbeat", Mode: "new", P50: 2, P99: 3, RPS: 400},
	} {
		r.Latency = append(r.Latency, l)
	}
	r.Memory = []Memory{{Host: "app", Unit: "consul", MiB: 60}, {Host: "app", Unit: "django-app-app-sidecar", MiB: 30}}
	return r
}

func TestEvaluateComparesMeshWithDirectAndChecksTargets(t *testing.T) {
	r := sample()
	r.evaluate()

	require.Len(t, r.Ratios, 2)
	assert.Equal(t, Ratio{Kind: "query", Mode: "pooled", P50: 1.2, P99Extra: 1.5, RPS: 0.75}, r.Ratios[0])
	assert.Equal(t, 4.0, r.Ratios[1].P50)

	met := map[string]bool{}
	for _, tg := range r.Targets {
		met[tg.Name] = tg.Met
	}
	assert.True(t, met["pooled query p50, mesh vs direct"], "1.2× is within 1.3×")
	assert.False(t, met["pooled query p99, mesh vs direct"], "+1.5 ms misses direct + 1 ms")
	assert.True(t, met["empty hosts → verified mesh"])
	assert.False(t, met["no-op up"], "4 s of 21 s is 19 %%")
	assert.True(t, met["no-op up: remote commands run"])
	assert.False(t, met["one-intention change: resources changed"], "the removal changed 2")
}

func TestTableAndFilesCarryTheFiguresAndTheMachine(t *testing.T) {
	r := sample()
	r.evaluate()
	var out bytes.Buffer
	r.printTable(&out)
	for _, want := range []string{"2026-01-02T03:04:05Z", "2 CPUs (test cpu)", "24.0 GiB", "empty → verified mesh", "1.20×", "MISSED", "django-app-app-sidecar", "1 + 1 self-check", "self-check re-run 1×"} {
		assert.Contains(t, out.String(), want)
	}

	dir := t.TempDir()
	require.NoError(t, r.writeJSON(filepath.Join(dir, "r.json")))
	b, err := os.ReadFile(filepath.Join(dir, "r.json"))
	require.NoError(t, err)
	assert.Contains(t, string(b), `"p50_ratio": 1.2`)

	require.NoError(t, writePNG(r, filepath.Join(dir, "r.png")))
	f, err := os.Open(filepath.Join(dir, "r.png"))
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	assert.Equal(t, chartW, img.Bounds().Dx())
	// The mesh bar of the pooled query (orange) is drawn.
	found := false
	for x := 0; x < chartW && !found; x++ {
		for y := panelTop; y < panelBottom; y++ {
			if r, g, b, _ := img.At(x, y).RGBA(); uint8(r>>8) == meshCol.R && uint8(g>>8) == meshCol.G && uint8(b>>8) == meshCol.B {
				found = true
				break
			}
		}
	}
	assert.True(t, found, "no mesh bar in the chart")
}

func TestNiceStep(t *testing.T) {
	assert.Equal(t, 0.5, niceStep(0.31))
	assert.Equal(t, 2.0, niceStep(1.5))
	assert.Equal(t, 50.0, niceStep(36))
	assert.Equal(t, 1.0, niceStep(0))
}

func TestObjectConfigSetsTheTextAndTheObject(t *testing.T) {
	var got map[string]struct {
		Value       string `json:"value"`
		ObjectValue any    `json:"objectValue"`
	}
	require.NoError(t, json.Unmarshal([]byte(objectConfig("ragmesh:intentions", extraIntention)), &got))
	v := got["ragmesh:intentions"]
	assert.JSONEq(t, extraIntention, v.Value)
	assert.Len(t, v.ObjectValue, 2)
}

func TestSummarizeMergesRunsBeforeTakingPercentiles(t *testing.T) {
	var a, b sampleRun
	for i := 1; i <= 50; i++ {
		a.Samples = append(a.Samples, float64(i))
		b.Samples = append(b.Samples, float64(100-i+1))
	}
	a.Seconds, b.Seconds = 1, 1
	l := summarize(PathMesh, "query", "pooled", []sampleRun{a, b})
	assert.Equal(t, 100, l.Requests)
	assert.Equal(t, 50.0, l.P50)
	assert.Equal(t, 95.0, l.P95)
	assert.Equal(t, 99.0, l.P99)
	assert.Equal(t, 100.0, l.Max)
	assert.Equal(t, 50.0, l.RPS)
	assert.Equal(t, 1.0, percentile([]float64{1}, 99))
}
