# Two commands: `make demo` and `make test`. Each installs what it needs on a fresh Debian 12.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
# Every recipe runs on Node >= 24 (installed into .toolchain/ when the system Node is older).
NODE_PATH_PREFIX = PATH="$$(./scripts/node-env.sh):$$PATH"
QUORUMCTL = ./bin/quorumctl
DEMO_SANDBOX = demo

.PHONY: setup system node deps build lint format-check manifest-check test test-unit test-integration demo demo-down bench clean

setup: system deps

system:
	./scripts/setup-system.sh

node:
	./scripts/node-env.sh >/dev/null

deps: node
	$(NODE_PATH_PREFIX) npm ci --loglevel=error

build: deps
	$(NODE_PATH_PREFIX) npm run --silent build

lint: build
	$(NODE_PATH_PREFIX) npx eslint .
	$(NODE_PATH_PREFIX) npx prettier --check . >/dev/null

# The committed manifest must match what the build generates (a stale one hides commands).
manifest-check: build
	git diff --exit-code -- oclif.manifest.json

test: system build lint manifest-check
	$(NODE_PATH_PREFIX) node --test --test-concurrency=1 'dist/test/**/*.test.js'

test-unit: build
	$(NODE_PATH_PREFIX) node --test 'dist/test/unit/**/*.test.js'

test-integration: system build
	$(NODE_PATH_PREFIX) node --test --test-concurrency=1 'dist/test/integration/**/*.test.js' 'dist/test/e2e/**/*.test.js'

demo: system build
	@for name in $(DEMO_SANDBOX) $(DEMO_SANDBOX)-zk $(DEMO_SANDBOX)-js; do $(QUORUMCTL) sandbox down $$name >/dev/null 2>&1 || true; done
	$(QUORUMCTL) sandbox up $(DEMO_SANDBOX)-zk --kind zookeeper --members 3
	$(QUORUMCTL) sandbox up $(DEMO_SANDBOX)-js --kind nats --members 3
	$(QUORUMCTL) sandbox up $(DEMO_SANDBOX) --kind etcd --members 3
	@echo; echo "== One tool, three consensus systems, one shape =="
	$(QUORUMCTL) status --cluster sandbox-$(DEMO_SANDBOX)
	$(QUORUMCTL) status --cluster sandbox-$(DEMO_SANDBOX)-zk
	$(QUORUMCTL) status --cluster sandbox-$(DEMO_SANDBOX)-js
	$(QUORUMCTL) health --cluster sandbox-$(DEMO_SANDBOX)
	@echo
	@echo "The sandboxes keep running (etcd is the current context). Go on with:"
	@echo "  $(QUORUMCTL) status --watch              # live view (Ctrl-C to stop watching)"
	@echo "  $(QUORUMCTL) status -o json              # the quorumctl/v1 ClusterStatus document"
	@echo "  $(QUORUMCTL) health -c sandbox-$(DEMO_SANDBOX)-zk   # the same verdict for ZooKeeper"
	@echo "  $(QUORUMCTL) dashboard --all             # the live terminal dashboard (q quits)"
	@echo "  $(QUORUMCTL) defrag --rolling --dry-run  # a maintenance plan with the quorum per step"
	@echo "  $(QUORUMCTL) chaos drill kill-leader --sandbox $(DEMO_SANDBOX) --yes   # a drill with a verdict"
	@echo "  $(QUORUMCTL) runbook list                # resumable procedures"
	@echo "  $(QUORUMCTL) sandbox ls                  # sandboxes and their processes"
	@echo "  $(QUORUMCTL) sandbox logs $(DEMO_SANDBOX) --member n1"
	@echo "  $(QUORUMCTL) --help"
	@echo "Stop them with: make demo-down"

demo-down:
	@for name in $(DEMO_SANDBOX) $(DEMO_SANDBOX)-zk $(DEMO_SANDBOX)-js; do $(QUORUMCTL) sandbox down $$name || true; done

bench: system build
	$(NODE_PATH_PREFIX) node dist/bench/status-vs-etcdctl.js
	$(NODE_PATH_PREFIX) node dist/bench/nats-status.js
	$(NODE_PATH_PREFIX) node dist/bench/fsync-probe-vs-fio.js
	$(NODE_PATH_PREFIX) node dist/bench/backup-etcd.js
	$(NODE_PATH_PREFIX) node dist/bench/agent-overhead.js
	$(NODE_PATH_PREFIX) node dist/bench/checker.js
	$(NODE_PATH_PREFIX) node dist/bench/dashboard-cpu.js

clean:
	rm -rf dist
