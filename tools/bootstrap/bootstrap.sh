#!/usr/bin/env bash
# bootstrap.sh: make this machine able to run the lab, saying what it does.
#
# On a machine that already has a Docker daemon it uses that daemon and
# changes nothing about it. Otherwise, as root on Debian/Ubuntu, it installs
# docker.io and starts dockerd (log: $LAB_DOCKERD_LOG). It builds the buildx
# and compose CLI plugins from their pinned Go modules (tools/plugins/*)
# only when the docker CLI lacks them. It installs the HTML checker the
# site's tests use (tools/vnu, with npm; Java and npm from apt if missing).
# It is opt-in: `make bootstrap` runs it; `make test` alone never installs
# anything.
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: %s\n' "$*" >&2; exit 2; }

LAB_DOCKERD_LOG=${LAB_DOCKERD_LOG:-/var/log/labdocs-dockerd.log}
plugins_dir="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"

as_root() { [ "$(id -u)" = 0 ] || die "$1 needs root (run as root, or do it yourself: $2)"; }

apt_install() {
	local missing=()
	for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
	[ ${#missing[@]} -eq 0 ] && return 0
	as_root "installing ${missing[*]}" "apt-get install ${missing[*]}"
	command -v apt-get >/dev/null || die "no apt-get: install ${missing[*]} by hand"
	log "installing ${missing[*]} (apt-get)"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# 1. Tools the images and the tests need, whatever the daemon.
#    debootstrap: the Debian base image, with Debian's archive keys to check
#    it (on Debian they are there already; an Ubuntu CI runner lacks them);
#    chromium: browser tests and handouts, unless a Chromium or Chrome that
#    the tests find is there already (GitHub's Ubuntu runners ship Chrome,
#    and Ubuntu packages Chromium only as a snap); poppler-utils: pdftotext
#    for the handout test; curl: pages talk to the daemon's socket; iptables
#    and friends come with docker.io; xz-utils: the base image's tree goes
#    to the daemon as rootfs.tar.xz.
apt_install debootstrap debian-archive-keyring xz-utils poppler-utils curl ca-certificates
browser=${LABDOCS_CHROME:-}
for b in chromium chromium-browser google-chrome google-chrome-stable; do
	[ -n "$browser" ] && break
	browser=$(command -v "$b" || true)
done
if [ -n "$browser" ]; then
	log "browser present: $browser"
else
	apt_install chromium
fi

#    The HTML validity test: the W3C Nu Html Checker (vnu.jar), pinned in
#    tools/vnu, installed with npm and run on a Java runtime. labimages
#    fetches the node image's packages with npm too.
command -v java >/dev/null || apt_install default-jre-headless
command -v npm >/dev/null || apt_install npm
vnu_want=$(node -p 'require("./tools/vnu/package.json").dependencies["vnu-jar"]')
vnu_have=$(node -p 'require("./tools/vnu/node_modules/vnu-jar/package.json").version' 2>/dev/null || true)
if [ "$vnu_have" = "$vnu_want" ] && [ -f tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar ]; then
	log "vnu.jar $vnu_have present"
else
	log "installing vnu.jar $vnu_want into tools/vnu (npm ci)"
	(cd tools/vnu && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
fi

# 2. A daemon.
if docker info >/dev/null 2>&1; then
	log "using the Docker daemon that answers already ($(docker context show 2>/dev/null || echo default)); changing nothing about it"
else
	if ! command -v dockerd >/dev/null; then
		apt_install docker.io
	fi
	as_root "starting dockerd" "dockerd &"
	if [ -n "${DOCKER_HOST:-}" ]; then
		die "DOCKER_HOST=$DOCKER_HOST does not answer; unset it or start that daemon"
	fi
	log "starting dockerd (log: $LAB_DOCKERD_LOG)"
	mkdir -p "$(dirname "$LAB_DOCKERD_LOG")"
	setsid nohup dockerd >"$LAB_DOCKERD_LOG" 2>&1 </dev/null &
	for _ in $(seq 1 120); do
		docker info >/dev/null 2>&1 && break
		sleep 0.5
	done
	docker info >/dev/null 2>&1 || { tail -20 "$LAB_DOCKERD_LOG" >&2; die "dockerd did not answer within 60s (log above)"; }
	log "dockerd answers: engine $(docker version -f '{{.Server.Version}}')"
fi

# 3. CLI plugins, built from the pinned modules with their real versions.
build_plugin() { # name module-dir package ldflags
	local name=$1 dir=$2 pkg=$3 ldflags=$4
	if docker "$name" version >/dev/null 2>&1; then
		log "docker $name present: $(docker "$name" version | head -1)"
		return
	fi
	log "building docker-$name from tools/plugins/$dir into $plugins_dir"
	mkdir -p "$plugins_dir"
	(cd "tools/plugins/$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $ldflags" -o "$plugins_dir/docker-$name.tmp" "$pkg")
	mv "$plugins_dir/docker-$name.tmp" "$plugins_dir/docker-$name"
	log "docker $name: $(docker "$name" version | head -1)"
}
version_of() { awk -v m="$1" '$1 == m { print $2; exit }' "tools/plugins/$2/go.mod"; }
build_plugin buildx buildx github.com/docker/buildx/cmd/buildx \
	"-X github.com/docker/buildx/version.Version=$(version_of github.com/docker/buildx buildx)"
build_plugin compose compose github.com/docker/compose/v2/cmd \
	"-X github.com/docker/compose/v2/internal.Version=$(version_of github.com/docker/compose/v2 compose)"
log "done"
