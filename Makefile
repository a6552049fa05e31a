# tinykube — see README.md. Every target works on a fresh Debian machine
# with Go installed; `make deps` (run by `make up`, and by .ci/run) installs
# what real nodes need when run as root.

GO      ?= go
BIN     := bin/tinykube
DATADIR ?= $(HOME)/.tinykube/server

.PHONY: all build deps image test test-short fuzz bench up clean lab grade soak

# What a real node needs, from Debian's packages: containerd and runc run
# the containers, the CNI plugins wire up pod networks, busybox-static is
# what the test image is built from, iproute2 and util-linux (nsenter) set
# up the tests' private network namespaces.
DEPS_PKGS := containerd runc containernetworking-plugins busybox-static iproute2 util-linux nftables
IMAGE     ?= bin/busybox.tar

all: build

build:
	$(GO) build -o $(BIN) ./cmd/tinykube

# Install the real-node packages if any is missing (root only; otherwise
# say what to install: `tinykube up` then runs simulated nodes instead).
deps:
	@if command -v containerd >/dev/null && command -v runc >/dev/null && command -v nsenter >/dev/null && \
	    command -v ip >/dev/null && command -v nft >/dev/null && [ -x /bin/busybox ] && { [ -x /usr/lib/cni/bridge ] || [ -x /opt/cni/bin/bridge ]; }; then \
	  echo "deps: containerd, runc, CNI plugins, busybox-static, iproute2 and nftables are installed"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "deps: installing $(DEPS_PKGS)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEPS_PKGS) >/dev/null; \
	else \
	  echo "deps: real nodes need (as root) apt-get install $(DEPS_PKGS); without them tinykube up simulates its nodes"; \
	fi

# The busybox test image (sh, httpd, sleep, wget …) as an OCI archive, built
# from /bin/busybox with no registry; load it with `tinykube image import`.
image: build
	./$(BIN) image build -o $(IMAGE)

# The whole suite: unit, property (rapid) and end-to-end tests against real
# embedded etcd, and — as root, with `make deps` done — real nodes on a
# private containerd inside the tests' own network namespaces (skipped
# otherwise, saying why; TINYKUBE_REQUIRE_E2E=1 turns the skips into
# failures, as CI does). Keep it well under 15 minutes on 2 cores.
test:
	$(GO) vet ./...
	$(GO) test -timeout 15m ./...
	$(GO) test -race -timeout 10m ./core/store/ ./core/apiserver/ ./realnode/httpapi/ ./realnode/runloop/ ./realnode/controlplane/
	$(GO) test -race -timeout 10m -run 'TestUpWithSimulatedNodes' ./cmd/tinykube/

# Only the fast tests (skips the ones that start etcd).
test-short:
	$(GO) test -short ./...

# A short run of every fuzzer, one after the other (about 15 × (FUZZTIME +
# 10 s of instrumented build and baseline): ~5 minutes by default). Not part
# of `make test`, whose `go test` runs each fuzzer's seed corpus as a unit
# test. FUZZTIME is each one's time, FUZZ=Name runs only the fuzzers whose
# name contains Name. -fuzzminimizetime bounds how long a worker may spend
# shrinking an input that found new coverage (Go's default is 60 s, during
# which that worker reports no execs: with two workers both minimizing,
# execs/s reads 0 for tens of seconds).
FUZZTIME ?= 10s
FUZZMIN  ?= 2s
FUZZ     ?=
FUZZERS := \
	./core/api:FuzzDecodeObject ./core/api:FuzzDecodePod ./core/api:FuzzParseQuantity \
	./core/api:FuzzParseSelector ./core/api:FuzzParseFieldSelector \
	./core/apiserver:FuzzHandle ./core/apiserver:FuzzAPISequence ./core/apiserver:FuzzStrategicMergePatch \
	./core/apiextensions/cel:FuzzRule ./core/apiextensions/schema:FuzzValidate \
	./core/auth/serviceaccount:FuzzVerify ./core/printers:FuzzJSONPath \
	./realnode/httpapi:FuzzProtobufBody ./sim/runtime:FuzzParseBehavior ./sim/cluster:FuzzScenario

fuzz:
	@set -e; for f in $(FUZZERS); do \
	  pkg=$${f%%:*}; name=$${f##*:}; \
	  case "$$name" in *"$(FUZZ)"*) ;; *) continue ;; esac; \
	  echo "== $$name ($$pkg, $(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMIN) $$pkg/; \
	done

# Speed, as ratios against baselines measured side by side in one run.
bench:
	$(GO) run ./cmd/tinykube bench

# Start a whole cluster in one process: the server (embedded etcd in
# $(DATADIR), scheduler, controllers) and this machine as its node, running
# pods in containerd (as root; a private containerd is started when none
# runs, and the busybox image is built and imported). Without root or
# containerd it says why and runs 3 simulated nodes instead. The CLI finds
# the cluster through ~/.tinykube/kubeconfig.
up: deps build
	./$(BIN) up --data-dir $(DATADIR)

# The book's labs (labs/README.md). They run the student's code in
# labs/NN-*/student, which fails until the student writes it; `make test`
# only runs the checkers' own tests (reference, mutants, starter).
#   make lab NN=04 [SEED=17] [RUN=FitsAll]   one lab, or one failing case
#   make grade                               every lab, points per test
#   make soak NN=04 [N=500]                  one lab on many seeds
# IMPL=reference runs the reference solution instead of the student's code
# (what passing looks like), IMPL=mutant:NAME one of the kept mutants
# (what a known mistake looks like); any of the three targets takes it.
NN   ?=
SEED ?= 0
RUN  ?=
N    ?= 500
IMPL ?=

lab:
	@$(GO) build -o bin/lab ./labs/cmd/lab
	@./bin/lab -lab '$(NN)' -seed '$(SEED)' -run '$(RUN)' -impl '$(IMPL)'

grade:
	@$(GO) build -o bin/lab ./labs/cmd/lab
	@./bin/lab -grade -impl '$(IMPL)'

soak:
	@$(GO) build -o bin/lab ./labs/cmd/lab
	@./bin/lab -lab '$(NN)' -seeds '$(N)' -run '$(RUN)' -impl '$(IMPL)'

clean:
	rm -rf bin
