#!/usr/bin/env bash
# The main job on local hosts: `pulumi up` on stack local turns the three fresh hosts into a mesh, then the
# path is verified from the app host. Leaves everything up; `make demo-down` removes it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=offline-env.sh
. tools/offline-env.sh
stack=${STACK:-local}
hosts_dir=$root/.cache/hosts
ssh_app=(ssh -F "$hosts_dir/ssh_config" app)
start=$SECONDS

echo "demo: stack $stack"
pulumi stack select --create "$stack" >/dev/null
pulumi config set --secret ragmesh:sshPrivateKey < "$hosts_dir/id_ed25519" >/dev/null
t=$SECONDS
pulumi up --yes --skip-preview --stack "$stack" --suppress-progress=false
up_seconds=$((SECONDS - t))

chroma=$(pulumi stack output chromaAddress --stack "$stack")
echo "demo: verifying from the app host"
# An up with nothing to change returns at once, while hosts that were just restarted may still be bringing the
# path back (agents re-registering, sidecars reconnecting): poll for up to 60 s before calling it failed.
deadline=$((SECONDS + 60))
until result=$("${ssh_app[@]}" "python3 - $chroma" < tests/scripts/verify-mesh.py); do
  if ((SECONDS >= deadline)); then
    echo "$result"
    echo "demo: VERIFICATION FAILED (make diagnose STACK=$stack names the broken hop)" >&2
    exit 1
  fi
  echo "demo: the mesh path does not answer yet; retrying"
  sleep 3
done
python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
for name, c in r["checks"].items():
    print("  %-40s %s  %s" % (name, "ok " if c["ok"] else "FAIL", c["detail"][:70]))
PY
echo
echo "demo: verified mesh — pulumi up ${up_seconds}s, total $((SECONDS - start))s"
echo "demo: stack outputs:"
pulumi stack output --stack "$stack"
echo
echo "demo: the hosts stay up: ssh -F .cache/hosts/ssh_config app   (make demo-down removes everything)"
