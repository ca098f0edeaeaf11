# Docker Lab: every command on the site is run against a real daemon.
# `make help` lists the targets.

SHELL := bash
HUGO  := go tool hugo
LABRUN := go run ./tools/labrun
# PAGES narrows capture/verify to some pages: make capture PAGES=content/lab/1-netcat
PAGES ?=
# DOCKERD is the second engine's dockerd for make matrix and make e2e
# (its folder's containerd, runc and docker-proxy go with it); default
# $LABRUN_DOCKERD, else Debian's /usr/sbin/dockerd. DOCKERD_FLAGS are more
# flags for it (default $LABRUN_DOCKERD_FLAGS): an engine whose containerd
# is linked in needs --feature=embedded-containerd.
DOCKERD ?=
DOCKERD_FLAGS ?=
MATRIX_FLAGS = $(if $(DOCKERD),-dockerd $(DOCKERD)) $(foreach f,$(DOCKERD_FLAGS),-dockerd-flag=$(f))
# IMAGES is the image policy: auto (pull when a registry answers, else build), pull, build.
IMAGES ?= auto
PORT ?= 1313
# How the GitHub workflows are linted (tools/workflows runs this line): with
# actionlint pinned in go.mod. Its shellcheck and pyflakes passes are off:
# they run only where those programs are installed (GitHub's runners have
# shellcheck, the lab's machines do not), and a verdict must not depend on
# the machine.
ACTIONLINT := go tool actionlint -shellcheck= -pyflakes=

.DEFAULT_GOAL := help
.PHONY: help serve site capture verify matrix test e2e check compile doctor images bootstrap bench handout fuzz clean

help: ## list the targets
	@awk -F':.*## ' '/^[a-z0-9-]+:.*## / { printf "  make %-10s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

serve: ## serve the site with live reload from the captures in the repo (no daemon needed)
	$(HUGO) server --port $(PORT) --bind 127.0.0.1

site: ## build the site into public/ (fails on a block changed since capture)
	$(HUGO) --gc --panicOnWarning --printPathWarnings --cleanDestinationDir

capture: ## run the pages' blocks against the daemon and write the output into the pages
	$(LABRUN) capture $(PAGES)

verify: ## re-run every page and fail with a diff where the docs and reality disagree (writes nothing)
	$(LABRUN) verify $(PAGES)

matrix: ## run the courses on a second engine (DOCKERD=...) and rewrite the engines page's data (content/reference/engines)
	$(LABRUN) matrix -write $(MATRIX_FLAGS)

test: ## the fast suite: unit and integration tests against the real daemon, the workflows linted, the site build
	@unformatted=$$(gofmt -l tools); if [ -n "$$unformatted" ]; then echo "gofmt -w these files: $$unformatted" >&2; exit 1; fi
	go vet ./...
	# The GitHub workflows are linted by go test: tools/workflows runs
	# $(ACTIONLINT) on them (and on broken copies, which must fail).
	# -count=1: the tests talk to a real daemon, whose state Go's test cache cannot see.
	# The site is built there, once, as make site builds it (TestSiteBuilds
	# in tools/internal/site, with the site target's flags), into a temp dir.
	# -vet=off: go vet above checked every package, tests included, with all
	# of the checks that go test's own vet pass runs (a subset) and more.
	go test -count=1 -vet=off ./...

e2e: ## the long suite: verify every page alone and each ordered section as one course, the courses on a second engine against the engines page, the course on a second fresh daemon, kills mid-page, the terminals page 10 times, fuzzing
	$(LABRUN) verify -junit labrun-junit.xml
	# The sections read in order (ordered: true), each walked as one reader
	# would: pages in order, terminals and Docker objects kept between them.
	$(LABRUN) verify -course
	# The courses on a second engine, in a machine of its own, block by
	# block against the engines page's data: fails with a diff when that
	# page no longer says what the two engines print (make matrix rewrites it).
	$(LABRUN) matrix $(MATRIX_FLAGS)
	# Another machine: capture here, verify on a fresh daemon with its own
	# data root, freshly built images and another host name.
	LAB_E2E=1 go test -count=1 -timeout 40m -run 'TestCourseVerifiesOnAnotherMachine|TestKilledRunIsCleanedUpByTheNext' ./tools/labrun
	LAB_STABLE=10 go test -count=1 -run 'TestTerminalsPage' ./tools/labrun
	$(MAKE) fuzz

# CI=1: a test whose tool is missing (Chromium, pdftotext, vnu.jar) fails
# instead of skipping; bootstrap installs them all.
check: export CI = 1
check: ## the test suite from a bare machine: install and start what it needs, build the images, make test (CI also runs make e2e)
	$(MAKE) bootstrap
	# The lab images wait on the network and the daemon, compiling the
	# tests on the CPU: on a cold machine the two overlap, and make test
	# then finds the Go caches warm.
	$(MAKE) -j2 --output-sync=target images compile
	$(MAKE) test

compile: ## compile every package, test binary and Go tool (Hugo, actionlint, the commands), running nothing
	go vet ./...
	# -exec true: each test binary is built and linked, and not run.
	go test -count=1 -vet=off -run '^$$' -exec true ./... >/dev/null
	go build -o /dev/null ./tools/...
	$(HUGO) version >/dev/null
	go tool actionlint -version >/dev/null

doctor: ## check the Docker environment the lab needs, with hints
	go run ./tools/labdoctor

images: ## provision the lab images (IMAGES=auto|pull|build)
	go run ./tools/labimages --images=$(IMAGES)

bootstrap: ## install and start what the lab needs (Docker engine, plugins): opt-in, says what it does
	tools/bootstrap/bootstrap.sh

bench: ## measure the runner's overhead against plain bash, site build, incremental capture, -j 2 (BENCH_FLAGS=-cold-images)
	go run ./tools/labbench $(BENCH_FLAGS)

handout: ## print the course to public/handout.pdf, the lab and each step to handout.pdf beside their print.html
	$(MAKE) site
	go run ./tools/labhandout

fuzz: ## run the Markdown round-trip fuzzer for a bounded time
	go test ./tools/internal/blocks/ -run '^$$' -fuzz FuzzRoundTrip -fuzztime 30s

clean: ## remove build output
	rm -rf public resources/_gen .hugo_build.lock
