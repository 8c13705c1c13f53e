# ragmesh — see README.md. `make demo` runs the main job on local hosts; `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
ROOT := $(CURDIR)
STACK ?= local
OFFLINE := . $(ROOT)/tools/offline-env.sh
GO_MODULES := . tools/standins/command tools/standins/consul tools/standins/language-go
HOST_PACKAGES := debootstrap systemd-container iproute2 openssh-server openssh-client python3 binutils

.PHONY: help tools host-deps hosts hosts-down demo demo-down test unit e2e vet fmt preview up diagnose

help:
	@echo "make demo        three local hosts -> verified mesh (builds tools, boots hosts, pulumi up, verifies)"
	@echo "make demo-down   destroy the local stack, stop the hosts, remove local state"
	@echo "make test        unit tests of every module + end-to-end tests on local hosts"
	@echo "make tools       offline toolchain into .tools/ (cached)"
	@echo "make preview STACK=dev | make up STACK=dev   your own Pulumi install and backend"

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

# The local hosts are one set per machine: runs that use them take a lock, so two never interleave.
HOSTS_LOCK := flock $(ROOT)/.tools/hosts.lock

demo: tools
	@$(HOSTS_LOCK) bash -c 'tools/hosts/hosts.sh up && STACK=$(STACK) tools/demo.sh'

demo-down: tools
	@$(OFFLINE); if pulumi stack select $(STACK) >/dev/null 2>&1; then \
	  pulumi destroy --yes --stack $(STACK) --suppress-outputs || true; \
	  pulumi stack rm --yes --force --preserve-config $(STACK) >/dev/null; \
	  pulumi config rm ragmesh:sshPrivateKey --stack $(STACK) 2>/dev/null || true; fi
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

preview:
	pulumi preview --stack $(STACK) --diff

up:
	pulumi up --stack $(STACK)
