package provisioners

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The data-disk script runs for real here: on a loop device, inside a private mount namespace whose
// /etc/fstab is a scratch file, so the machine running the tests keeps its own mounts and fstab.

// dataDisk is a blank loop device and a data directory on the "root disk" beside it.
type dataDisk struct {
	t      *testing.T
	dev    string
	dir    string
	fstab  string
	script string
}

func newDataDisk(t *testing.T) *dataDisk {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the data-disk script needs root (loop devices, mounts)")
	}
	for _, tool := range []string{"losetup", "mkfs.ext4", "blkid", "unshare", "findmnt", "mkswap"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s missing (util-linux, e2fsprogs)", tool)
		}
	}
	tmp := t.TempDir()
	img := filepath.Join(tmp, "disk.img")
	require.NoError(t, os.WriteFile(img, nil, 0o600))
	require.NoError(t, os.Truncate(img, 32<<20))
	out, err := exec.Command("losetup", "--find", "--show", img).CombinedOutput()
	if err != nil {
		t.Skipf("no loop device available: %s", out)
	}
	dev := strings.TrimSpace(string(out))
	t.Cleanup(func() { _ = exec.Command("losetup", "-d", dev).Run() })
	d := &dataDisk{t: t, dev: dev, dir: filepath.Join(tmp, "chroma"), fstab: filepath.Join(tmp, "fstab")}
	require.NoError(t, os.WriteFile(d.fstab, []byte("# root file systems\n/dev/vda / ext4 defaults 0 1\n"), 0o644))
	d.script = renderText(t, "chroma-data-disk.sh.tmpl", map[string]string{"Device": dev, "DataDir": d.dir})
	return d
}

// boot runs shell commands in a fresh mount namespace (a boot of the host: nothing is mounted yet) with the
// scratch fstab in place; the script is $SCRIPT. It returns the output and whether the commands succeeded.
func (d *dataDisk) boot(commands string) (string, bool) {
	d.t.Helper()
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "bash", "-euc",
		"mount --bind \"$FSTAB\" /etc/fstab\n"+commands)
	cmd.Env = append(os.Environ(), "FSTAB="+d.fstab, "SCRIPT="+d.script, "DIR="+d.dir, "DEV="+d.dev)
	out, err := cmd.CombinedOutput()
	return string(out), err == nil
}

func (d *dataDisk) fstabText() string {
	b, err := os.ReadFile(d.fstab)
	require.NoError(d.t, err)
	return string(b)
}

// TestDataDiskFormatsABlankDiskMountsItAndKeepsItsData: a blank disk is formatted once and mounted at the data
// directory with one fstab line by UUID; a second run and a later boot mount the same file system again and
// never reformat it, so what Chroma wrote is still there.
func TestDataDiskFormatsABlankDiskMountsItAndKeepsItsData(t *testing.T) {
	d := newDataDisk(t)
	out, ok := d.boot(`bash -c "$SCRIPT"; mountpoint -q "$DIR"; echo written > "$DIR/chroma.sqlite3"; bash -c "$SCRIPT"`)
	require.True(t, ok, out)
	assert.Equal(t, 1, strings.Count(out, "formatted blank disk"), out)

	uuid, err := exec.Command("blkid", "-p", "-s", "UUID", "-o", "value", d.dev).Output()
	require.NoError(t, err)
	line := "UUID=" + strings.TrimSpace(string(uuid)) + " " + d.dir + " ext4 defaults,nofail 0 2"
	fstab := d.fstabText()
	assert.Equal(t, 1, strings.Count(fstab, line), fstab)
	assert.Contains(t, fstab, "/dev/vda / ext4", "the other fstab lines are kept")
	assert.NoFileExists(t, filepath.Join(d.dir, "chroma.sqlite3"), "the data went to the disk, not the root disk")

	out, ok = d.boot(`bash -c "$SCRIPT"; cat "$DIR/chroma.sqlite3"`)
	require.True(t, ok, out)
	assert.NotContains(t, out, "formatted", "an ext4 disk is never formatted again")
	assert.Contains(t, out, "written")
	assert.Equal(t, 1, strings.Count(d.fstabText(), d.dir), "no second fstab line")
}

// TestDataDiskRefusesADiskThatHoldsSomethingElse: a device with another file system is left untouched.
func TestDataDiskRefusesADiskThatHoldsSomethingElse(t *testing.T) {
	d := newDataDisk(t)
	require.NoError(t, exec.Command("mkswap", d.dev).Run())
	out, ok := d.boot(`bash -c "$SCRIPT"`)
	require.False(t, ok, out)
	assert.Contains(t, out, "holds swap, not ext4: refusing to format it")
	typ, err := exec.Command("blkid", "-p", "-s", "TYPE", "-o", "value", d.dev).Output()
	require.NoError(t, err)
	assert.Equal(t, "swap", strings.TrimSpace(string(typ)))
	assert.NotContains(t, d.fstabText(), d.dir)
}

// TestDataDiskMovesDataFromTheRootDisk: a host that ran Chroma before it had the disk keeps its data, copied
// onto the disk before the disk is mounted over the directory.
func TestDataDiskMovesDataFromTheRootDisk(t *testing.T) {
	d := newDataDisk(t)
	require.NoError(t, os.MkdirAll(d.dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(d.dir, "chroma.sqlite3"), []byte("before the disk"), 0o600))
	out, ok := d.boot(`bash -c "$SCRIPT"; mountpoint -q "$DIR"; cat "$DIR/chroma.sqlite3"`)
	require.True(t, ok, out)
	assert.Contains(t, out, "copied the data in")
	assert.Contains(t, out, "before the disk")
}

// TestDataDiskRefusesWhenBothHoldData: data on the root disk and on the disk; mounting would hide one copy.
func TestDataDiskRefusesWhenBothHoldData(t *testing.T) {
	d := newDataDisk(t)
	out, ok := d.boot(`bash -c "$SCRIPT"; echo on-disk > "$DIR/a"`)
	require.True(t, ok, out)
	require.NoError(t, os.WriteFile(filepath.Join(d.dir, "b"), []byte("on root"), 0o600))
	out, ok = d.boot(`bash -c "$SCRIPT"`)
	require.False(t, ok, out)
	assert.Contains(t, out, "both "+d.dir+" and "+d.dev+" hold data")
	assert.FileExists(t, filepath.Join(d.dir, "b"), "nothing on the root disk was touched")
}
