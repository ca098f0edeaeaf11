#!/usr/bin/env bash
# build.sh: the Docker engine pinned in tools/engine/go.mod, compiled once
# per machine into a cache directory.
#
#   tools/engine/build.sh          build if needed; print the bin directory
#   tools/engine/build.sh --dir    print the bin directory, build nothing
#                                  (exit 1 when it is not built yet)
#
# The binaries (dockerd, docker-proxy, containerd, containerd-shim-runc-v2,
# runc) go to
# $LAB_ENGINE_CACHE/<key>/bin, where <key> is a hash of go.mod, go.sum, the
# build recipe below and the Go toolchain: a second run with the same
# inputs compiles nothing, and a changed pin builds beside the old one. A
# build is made in a temporary directory and renamed into place whole, so
# an interrupted build leaves no half-filled cache; a lock keeps two
# builds on one machine from compiling twice.
#
# containerd is built too, as a program of its own: dockerd starts it as
# its child, so `ps` shows dockerd and containerd as on a machine with
# Docker's packages (dockerd can also run a containerd linked into itself,
# `--feature embedded-containerd`, but no installed engine does that, and
# the lab's pages show the processes).
#
# Messages go to stderr; stdout holds the bin directory alone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

log() { printf 'engine: %s\n' "$*" >&2; }
die() { printf 'engine: %s\n' "$*" >&2; exit 2; }

if [ -z "${LAB_ENGINE_CACHE:-}" ]; then
	if [ "$(id -u)" = 0 ]; then
		LAB_ENGINE_CACHE=/var/cache/labdocs/engine
	else
		LAB_ENGINE_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/labdocs/engine
	fi
fi

# The recipe: one binary a line, as name|package|CGO_ENABLED|tags|ldflags.
# @MOBY@ (moby's module version, shown as the engine's git commit),
# @MOBY_TIME@ (its commit time, shown as when it was built: the same on
# every machine), @DOCKER_VERSION@ and @CONTAINERD@ are filled in at
# build time from the modules go.mod selects; the key hashes the recipe
# as written.
#   dockerd, docker-proxy: the tags and version variables of moby's
#     hack/make.sh and hack/make/.go-autogen (static, no cgo). dockerd
#     also gets containerd's version variable: it reports the version of
#     the containerd it embeds.
#   containerd: containerd's Makefile, static (no cgo), without the btrfs,
#     devmapper and zfs snapshotters, which need C libraries and which
#     Docker never uses.
#   containerd-shim-runc-v2: containerd's Makefile (SHIM_CGO_ENABLED=0).
#   runc: its Makefile's tags less libpathrs (a Rust library Debian does
#     not ship); seccomp needs cgo and libseccomp-dev. runc takes its
#     version from the VERSION file it embeds.
recipe='dockerd|github.com/moby/moby/v2/cmd/dockerd|0|netgo osusergo static_build nri_no_wasm|-X github.com/moby/moby/v2/dockerversion.Version=@DOCKER_VERSION@ -X github.com/moby/moby/v2/dockerversion.GitCommit=@MOBY@ -X github.com/moby/moby/v2/dockerversion.BuildTime=@MOBY_TIME@ -X github.com/containerd/containerd/v2/version.Version=@CONTAINERD@
docker-proxy|github.com/moby/moby/v2/cmd/docker-proxy|0|netgo osusergo static_build nri_no_wasm|-X github.com/moby/moby/v2/dockerversion.Version=@DOCKER_VERSION@ -X github.com/moby/moby/v2/dockerversion.GitCommit=@MOBY@
containerd|github.com/containerd/containerd/v2/cmd/containerd|0|urfave_cli_no_docs no_btrfs no_devmapper no_zfs|-X github.com/containerd/containerd/v2/version.Version=@CONTAINERD@
containerd-shim-runc-v2|github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2|0|urfave_cli_no_docs no_grpc|-X github.com/containerd/containerd/v2/version.Version=@CONTAINERD@
runc|github.com/opencontainers/runc|1|seccomp urfave_cli_no_docs|'

key=$(
	{
		cat "$here/go.mod" "$here/go.sum"
		printf '%s\n' "$recipe"
		go env GOVERSION GOOS GOARCH
	} | sha256sum | cut -c1-16
)
dir=$LAB_ENGINE_CACHE/$key
bin=$dir/bin

built() { [ -x "$bin/dockerd" ] && [ -x "$bin/docker-proxy" ] && [ -x "$bin/containerd" ] && [ -x "$bin/containerd-shim-runc-v2" ] && [ -x "$bin/runc" ]; }

if [ "${1:-}" = --dir ]; then
	echo "$bin"
	built
	exit
fi
[ $# -eq 0 ] || die "usage: $0 [--dir]"

if built; then
	echo "$bin"
	exit 0
fi

mkdir -p "$LAB_ENGINE_CACHE"
exec 9>"$LAB_ENGINE_CACHE/.lock"
if ! flock -n 9; then
	log "another build holds $LAB_ENGINE_CACHE/.lock; waiting for it"
	flock 9
fi
if built; then # built by the one we waited for
	echo "$bin"
	exit 0
fi

cd "$here"
mod_version() { go list -m -f '{{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' "$1"; }
moby=$(mod_version github.com/moby/moby/v2)
moby_time=$(go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z07:00"}}' github.com/moby/moby/v2)
containerd=$(mod_version github.com/containerd/containerd/v2)
# moby's module versions (v2.0.0-beta.N) are not the engine's; the engine
# release a commit is headed for is "next" in its releases/versions.yaml.
moby_dir=$(go list -m -f '{{.Dir}}' github.com/moby/moby/v2)
[ -n "$moby_dir" ] || { go mod download github.com/moby/moby/v2 && moby_dir=$(go list -m -f '{{.Dir}}' github.com/moby/moby/v2); }
docker_version=$(awk '$1 == "next:" { gsub(/"/, "", $2); print $2; exit }' "$moby_dir/releases/versions.yaml")
[ -n "$docker_version" ] || die "no engine version in $moby_dir/releases/versions.yaml"

tmp=$(mktemp -d "$LAB_ENGINE_CACHE/.tmp-$key-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin"
log "building engine $docker_version (moby $moby, containerd $containerd) into $dir"
start=$SECONDS
while IFS='|' read -r name pkg cgo tags ldflags; do
	ldflags=${ldflags//@DOCKER_VERSION@/$docker_version}
	ldflags=${ldflags//@MOBY@/$moby}
	ldflags=${ldflags//@MOBY_TIME@/$moby_time}
	ldflags=${ldflags//@CONTAINERD@/$containerd}
	log "  go build $name ($pkg)"
	CGO_ENABLED=$cgo go build -trimpath -tags "$tags" -ldflags "-s -w $ldflags" -o "$tmp/bin/$name" "$pkg"
done <<<"$recipe"

# What was built, as the binaries report it.
{
	echo "engine $docker_version, moby $moby, built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - start)) s with $(go env GOVERSION)"
	"$tmp/bin/dockerd" --version
	"$tmp/bin/containerd" --version
	"$tmp/bin/runc" --version | sed -n 1p
	"$tmp/bin/containerd-shim-runc-v2" -v | sed -n 1,2p | tr '\n' ' '
	echo
} >"$tmp/VERSIONS"
grep -q "Docker version $docker_version," "$tmp/VERSIONS" || die "dockerd does not report $docker_version: $(cat "$tmp/VERSIONS")"
chmod 755 "$tmp"
rm -rf "$dir" # an incomplete one (a binary deleted by hand)
mv -T "$tmp" "$dir"
trap - EXIT
log "built in $((SECONDS - start)) s: $(sed -n 2p "$dir/VERSIONS")"
echo "$bin"
