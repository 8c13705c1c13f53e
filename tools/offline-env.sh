# Sourced by the Makefile's local targets and the tests: the offline Pulumi path. The CLI and language host
# come from .tools/bin, plugin stand-ins are installed in a project-local PULUMI_HOME (never ~/.pulumi, so a
# real plugin a user has is never shadowed), and state lives in a local file backend under .tools/state.
# The passphrase is for local stacks only; real stacks use their own secrets provider.
_ragmesh_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$_ragmesh_root/.tools/bin:$PATH"
export PULUMI_HOME="$_ragmesh_root/.tools/pulumi-home"
export PULUMI_BACKEND_URL="file://$_ragmesh_root/.tools/state"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-ragmesh-local-dev}"
# The local state holds the demo's secrets under a passphrase everyone knows: only its owner may read it.
mkdir -p "$_ragmesh_root/.tools/state"
chmod 0700 "$_ragmesh_root/.tools/state"
unset _ragmesh_root
