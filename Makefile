# ragmesh — see README.md. `make demo` runs the main job on local hosts; `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
ROOT := $(CURDIR)
STACK ?= local
OFFLINE := . $(ROOT)/tools/offline-env.sh
GO_MODULES := . tools/standins/command tools/standins/consul tools/standins/language-go examples/consumer
HOST_PACKAGES := debootstrap systemd-container iproute2 openssh-server openssh-client python3 binutils

.PHONY: preview-local help tools host-deps hosts hosts-down demo demo-down test unit e2e vet fmt preview up diagnose bench check-stack

help:
	@echo "make demo        three local hosts -> verified mesh (builds tools, boots hosts, pulumi up, verifies)"
	@echo "make demo-down   destroy the local stack, remove it and the demo key, stop the hosts"
	@echo "make test        unit tests of every module + end-to-end tests on local hosts"
	@echo "make unit | make e2e | make vet   the parts of make test"
	@echo "make tools       offline toolchain into .tools/ (cached)"
	@echo "make bench       mesh cost, convergence times and memory on fresh local hosts -> results/"
	@echo "make diagnose STACK=local   names the first broken hop between the app and ChromaDB"
	@echo "make preview STACK=dev | make up STACK=dev   your own Pulumi install and backend"
	@echo "make preview-local   pulumi preview of the local stack offline (no hosts needed)"

# Debian packages the local hosts and the SSH tests need (installed only when missing).
host-deps:
	@missing=$$(for p in $(HOST_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "host-deps: installing $$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

tools: host-deps
	@tools/build.sh

hosts: tools
	@tools/hosts/hosts.sh up

hosts-down:
	@tools/hosts/hosts.sh down

# The local hosts are one set per machine (one bridge, fixed addresses): runs that use them take a machine-wide
# lock, so two never interleave, even from two checkouts; hosts.sh refuses hosts another checkout still runs.
# -o: the lock is held by flock itself, never inherited by the hosts' long-lived processes, so it ends with
# the command (make demo leaves the hosts up, and make diagnose must not wait for them).
HOSTS_LOCK := flock -o /run/lock/ragmesh-hosts.lock

demo: tools
	@$(HOSTS_LOCK) bash -c 'tools/hosts/hosts.sh up && STACK=$(STACK) tools/demo.sh'

demo-down: tools
	@$(OFFLINE); if pulumi stack select $(STACK) >/dev/null 2>&1; then \
	  pulumi destroy --yes --stack $(STACK) --suppress-outputs || true; \
	  pulumi config rm ragmesh:sshPrivateKey --stack $(STACK) 2>/dev/null || true; \
	  pulumi stack rm --yes --force --preserve-config $(STACK) >/dev/null; fi
	@tools/hosts/hosts.sh down

vet:
	@for m in $(GO_MODULES); do (cd $$m && go vet ./...); done
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }

unit: vet
	@tools/consul/licence-gate_test.sh
	@for m in $(GO_MODULES); do echo "== go test $$m"; (cd $$m && go test -count=1 ./...); done

# Fresh hosts for every run, torn down afterwards whatever the result.
e2e: tools
	@$(HOSTS_LOCK) bash -c '$(OFFLINE); tools/hosts/hosts.sh down >/dev/null 2>&1 || true; tools/hosts/hosts.sh up; \
	  trap "tools/hosts/hosts.sh down" EXIT; RAGMESH_E2E=1 go test -count=1 -timeout 40m -v ./tests/...'

test: tools unit e2e

# preview / up run YOUR pulumi, login (backend) and secrets provider — never the offline toolchain, whose file
# backend and passphrase are for the local demo only. CI runs the same targets (PULUMI_ARGS=--yes there).
PULUMI_ARGS ?=
preview: check-stack
	pulumi preview --stack $(STACK) --diff $(PULUMI_ARGS)

up: check-stack
	pulumi up --stack $(STACK) $(PULUMI_ARGS)

# The stack must have its settings file, and `pulumi` must not be the offline toolchain (tools/offline-env.sh
# puts it first on PATH and points the backend at .tools/state).
check-stack:
	@test -f Pulumi.$(STACK).yaml || { echo "no Pulumi.$(STACK).yaml: create it first (prod: cp Pulumi.prod.example.yaml Pulumi.prod.yaml, then pulumi stack init prod) — README § Environments" >&2; exit 1; }
	@command -v pulumi >/dev/null || { echo "pulumi is not on PATH: install the Pulumi CLI v3.276.0 (make demo uses its own offline copy)" >&2; exit 1; }
	@case "$$(command -v pulumi)|$${PULUMI_BACKEND_URL:-}" in *"$(ROOT)/.tools/"*) \
	  echo "this shell uses the offline toolchain (tools/offline-env.sh): open a fresh shell with your own pulumi and \`pulumi login\`" >&2; exit 1;; esac

# Benchmarks (not part of `make test`): fresh hosts, one measured deployment, latency direct vs mesh, memory;
# prints a table and writes results/bench-*.json and .png. The stack is destroyed and the hosts stopped after.
bench: tools
	@go build -o .tools/bin/ragmesh-bench ./bench
	@$(HOSTS_LOCK) bash -c '$(OFFLINE); tools/hosts/hosts.sh down >/dev/null 2>&1 || true; tools/hosts/hosts.sh up; \
	  trap "tools/hosts/hosts.sh down" EXIT; .tools/bin/ragmesh-bench -fresh-hosts -results $(ROOT)/results'

# Names the first broken hop of a deployed stack (local or Azure) from every app host; reads the stack's
# `selfCheck` output and its SSH key through Pulumi and never prints the key. Exit 1 when a hop is broken.
# The local stack needs its hosts up (make demo); other stacks use your own Pulumi install and backend.
diagnose:
	@go build -o .tools/bin/ragmesh-diagnose ./cmd/diagnose
	@if [ "$(STACK)" = local ]; then $(HOSTS_LOCK) bash -c '$(OFFLINE); .tools/bin/ragmesh-diagnose -stack local'; \
	  else .tools/bin/ragmesh-diagnose -stack $(STACK); fi

# `pulumi preview` of the local stack through the real engine and the offline plugins, no hosts needed: the
# preview connects to nothing. When the stack has no SSH key (no demo deployed), a throwaway key stands in and
# is removed again afterwards; a deployed demo's key is left alone, so the preview shows its real diff.
preview-local: tools
	@$(OFFLINE); pulumi stack select --create local >/dev/null; \
	  if ! pulumi config get ragmesh:sshPrivateKey --stack local >/dev/null 2>&1; then \
	    key=$$(mktemp -u); ssh-keygen -q -t ed25519 -N '' -f $$key; \
	    trap 'pulumi config rm ragmesh:sshPrivateKey --stack local 2>/dev/null; rm -f $$key $$key.pub' EXIT; \
	    pulumi config set --secret ragmesh:sshPrivateKey --stack local < $$key; fi; \
	  pulumi preview --stack local --diff
