#!/usr/bin/env bash
# bootstrap.sh: make this machine able to run the lab, saying what it does.
#
# The lab's daemon is a current Docker engine (28 or newer): one that
# answers already is used as it is; where there is none, as root, an
# installed current dockerd is started, or else engine 29, compiled once
# per machine from the Go module pinned in tools/engine (section 2 says
# how, and LAB_ENGINE how to choose). A bare Debian/Ubuntu machine gets
# docker.io too (the CLI, iptables, and Debian's engine as a second one,
# not started). Daemons it starts log to $LAB_DOCKERD_LOG. It builds the buildx
# and compose CLI plugins from their pinned Go modules (tools/plugins/*)
# only when the docker CLI lacks them, once per machine like the engine
# (section 3). It installs the HTML checker the
# site's tests use (tools/vnu, with npm; Java and npm from apt if missing).
# It is opt-in: `make bootstrap` runs it; `make test` alone never installs
# anything.
set -euo pipefail
cd "$(dirname "$0")/../.."

log() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: %s\n' "$*" >&2; exit 2; }

LAB_DOCKERD_LOG=${LAB_DOCKERD_LOG:-/var/log/labdocs-dockerd.log}
LAB_ENGINE=${LAB_ENGINE:-auto} # which Docker engine: auto, installed or built (section 2)
case "$LAB_ENGINE" in
auto | installed | built) ;;
*) die "LAB_ENGINE=$LAB_ENGINE: want auto, installed or built" ;;
esac
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

# 2. A daemon: a current Docker engine (>= LAB_ENGINE_MIN).
#    LAB_ENGINE=auto (the default): a daemon that answers with a current
#    engine is used as it is. An old one that bootstrap started is
#    stopped and engine 29 started in its place; an old one someone else
#    runs stops bootstrap with what to do. With no daemon, an installed
#    current dockerd is started, or else engine 29, compiled once from
#    the Go module pinned in tools/engine (tools/engine/build.sh, cached
#    per machine).
#    LAB_ENGINE=installed: the installed engine whatever its version (a
#    daemon that answers, or dockerd on PATH started).
#    LAB_ENGINE=built: engine 29 from tools/engine.
#    A daemon bootstrap starts logs to $LAB_DOCKERD_LOG and writes its pid
#    to $LAB_DOCKERD_PIDFILE; one that an older bootstrap started is
#    known by its log (the file its output goes to).
LAB_ENGINE_MIN=28
LAB_DOCKERD_PIDFILE=${LAB_DOCKERD_PIDFILE:-/run/labdocs/dockerd.pid}
LAB_ENGINE_DATA=${LAB_ENGINE_DATA:-/var/lib/labdocs/engine}
LAB_ENGINE_EXEC=${LAB_ENGINE_EXEC:-/run/labdocs/engine}
# The cold build of engine 29, measured on this project's 2-core machine
# while other jobs kept it busy (README, "The Docker engine").
engine_cost="~8 min on 2 busy cores, 343 CPU-seconds"
major() { local v=${1#v}; v=${v%%.*}; [[ $v =~ ^[0-9]+$ ]] && echo "$v" || echo 0; }
server_version() { docker version -f '{{.Server.Version}}' 2>/dev/null; }

# A bare machine gets Debian's engine: /usr/sbin/dockerd (20.10 on
# bookworm, the engine matrix's second engine, not started by default),
# the docker CLI and iptables. Where apt's postinst starts its service
# (systemd), bootstrap stops it again: the lab's daemon is chosen below.
if ! command -v dockerd >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
	apt_install docker.io
	if [ -d /run/systemd/system ] && systemctl is-active -q docker.service 2>/dev/null; then
		log "apt started docker.io's service; stopping and disabling it (dockerd $(dockerd --version | awk '{print $3}' | tr -d ,) stays installed, not started)"
		systemctl disable -q --now docker.service docker.socket
	fi
fi

# default_socket: the CLI talks to this machine's default socket, the one
# a daemon bootstrap starts listens on.
default_socket() {
	[ -z "${DOCKER_HOST:-}" ] && [ "$(docker context show 2>/dev/null || echo default)" = default ]
}

# ours prints the pid of the dockerd bootstrap started, if one runs: the
# pid in our pidfile, or the daemon of docker's default pidfile when its
# output goes to our log (what bootstrap before the pidfile started).
ours() {
	local pid
	pid=$(cat "$LAB_DOCKERD_PIDFILE" 2>/dev/null || true)
	if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
		echo "$pid"
		return
	fi
	pid=$(cat /var/run/docker.pid 2>/dev/null || true)
	if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] &&
		[ "$(readlink "/proc/$pid/fd/1")" = "$(readlink -f "$LAB_DOCKERD_LOG")" ]; then
		echo "$pid"
	fi
}

stop_ours() { # pid version
	local pid=$1
	as_root "stopping the dockerd bootstrap started (pid $pid)" "kill $pid"
	log "stopping engine $2 (pid $pid), which bootstrap started: its containers stop, its images stay in its data root"
	kill -TERM "$pid"
	for _ in $(seq 1 180); do
		[ -e "/proc/$pid" ] || break
		sleep 0.5
	done
	[ -e "/proc/$pid" ] && die "dockerd (pid $pid) did not stop within 90s; see $LAB_DOCKERD_LOG"
	rm -f "$LAB_DOCKERD_PIDFILE"
	stop_containerd
}

# The containerd that engine 29 talks to runs as a service of its own, as
# Docker's packages run it (containerd.service, then dockerd
# --containerd). Started as dockerd's child instead, it would inherit
# dockerd's umask of 0, and so would every `docker exec`: files a reader
# writes with `docker exec` would be world-writable here and nowhere else.
LAB_CONTAINERD_SOCK=${LAB_CONTAINERD_SOCK:-/run/labdocs/containerd/containerd.sock}
LAB_CONTAINERD_PIDFILE=${LAB_CONTAINERD_PIDFILE:-/run/labdocs/containerd.pid}

stop_containerd() {
	local pid
	pid=$(cat "$LAB_CONTAINERD_PIDFILE" 2>/dev/null || true)
	[ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = containerd ] || { rm -f "$LAB_CONTAINERD_PIDFILE"; return 0; }
	kill -TERM "$pid"
	for _ in $(seq 1 60); do
		[ -e "/proc/$pid" ] || break
		sleep 0.5
	done
	rm -f "$LAB_CONTAINERD_PIDFILE"
}

start_containerd() { # bin
	local bin=$1 dir
	dir=$(dirname "$LAB_CONTAINERD_SOCK")
	mkdir -p "$dir"
	# The root and state dockerd gives the containerd it starts itself, so
	# images built either way stay.
	cat >"$dir/config.toml" <<-EOF
		version = 3
		root = '$LAB_ENGINE_DATA/containerd/daemon'
		state = '$LAB_ENGINE_EXEC/containerd/daemon'
		disabled_plugins = ['io.containerd.grpc.v1.cri', 'io.containerd.cri.v1.images', 'io.containerd.cri.v1.runtime', 'io.containerd.podsandbox.controller.v1.podsandbox']
		[grpc]
		  address = '$LAB_CONTAINERD_SOCK'
	EOF
	log "starting containerd $("$bin/containerd" --version | awk '{print $3}') (log: $LAB_DOCKERD_LOG)"
	(
		umask 022
		PATH="$bin:$PATH" setsid nohup "$bin/containerd" --config "$dir/config.toml" >>"$LAB_DOCKERD_LOG" 2>&1 </dev/null &
		echo $! >"$LAB_CONTAINERD_PIDFILE"
	)
	for _ in $(seq 1 60); do
		[ -S "$LAB_CONTAINERD_SOCK" ] && return 0
		sleep 0.5
	done
	die "containerd did not open $LAB_CONTAINERD_SOCK within 30s (log: $LAB_DOCKERD_LOG)"
}

# start_dockerd runs a dockerd in the background, logging to our log, and
# waits until the CLI gets an answer.
start_dockerd() { # what dockerd args...
	local what=$1
	shift
	mkdir -p "$(dirname "$LAB_DOCKERD_LOG")" "$(dirname "$LAB_DOCKERD_PIDFILE")"
	printf '\n=== %s: bootstrap starts %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$LAB_DOCKERD_LOG"
	log "starting $what (log: $LAB_DOCKERD_LOG)"
	local t0=$SECONDS
	setsid nohup "$@" --pidfile "$LAB_DOCKERD_PIDFILE" >>"$LAB_DOCKERD_LOG" 2>&1 </dev/null &
	for _ in $(seq 1 240); do
		docker info >/dev/null 2>&1 && break
		sleep 0.5
	done
	docker info >/dev/null 2>&1 || { tail -20 "$LAB_DOCKERD_LOG" >&2; die "dockerd did not answer within 120s (log above)"; }
	log "dockerd answers after $((SECONDS - t0)) s: engine $(server_version)"
}

start_installed() {
	as_root "starting dockerd" "dockerd &"
	command -v dockerd >/dev/null || apt_install docker.io
	local v
	v=$(dockerd --version | awk '{print $3}' | tr -d ,)
	[ "$(major "$v")" -ge "$LAB_ENGINE_MIN" ] || log "warning: the installed engine is $v; the lab is captured on engine >= $LAB_ENGINE_MIN, and pages may differ"
	start_dockerd "the installed dockerd $v" "$(command -v dockerd)"
}

start_built() {
	as_root "starting the lab's engine" "sudo make bootstrap"
	local bin
	if bin=$(tools/engine/build.sh --dir); then
		log "engine 29 already built: $bin"
	else
		# runc's seccomp support is compiled with cgo against libseccomp;
		# the engine needs iptables at run time.
		apt_install gcc libc6-dev pkg-config libseccomp-dev iptables
		log "compiling engine 29 once: $engine_cost (later bootstraps reuse $(dirname "$bin"))"
		bin=$(tools/engine/build.sh)
	fi
	command -v iptables >/dev/null || apt_install iptables
	# The binaries' directory first on the PATH of containerd and dockerd:
	# containerd finds the shim built with it (not apt's), the shim finds
	# runc, dockerd its docker-init.
	mkdir -p "$LAB_ENGINE_DATA" "$LAB_ENGINE_EXEC"
	stop_containerd
	start_containerd "$bin"
	start_dockerd "engine $(sed -n 's/^Docker version \([^,]*\),.*/\1/p' "$(dirname "$bin")/VERSIONS") from $bin" \
		env PATH="$bin:$PATH" "$bin/dockerd" --containerd "$LAB_CONTAINERD_SOCK" \
		--data-root "$LAB_ENGINE_DATA" --exec-root "$LAB_ENGINE_EXEC" \
		--userland-proxy-path "$bin/docker-proxy" -H unix:///var/run/docker.sock
}

old_engine() { # version
	die "the Docker daemon that answers ($(docker context show 2>/dev/null || echo default)${DOCKER_HOST:+, DOCKER_HOST=$DOCKER_HOST}) is engine $1; the lab needs engine >= $LAB_ENGINE_MIN, and bootstrap did not start this one, so it leaves it alone. Either upgrade it; or stop it and run \`make bootstrap\` again (it then starts engine 29, compiled from tools/engine: $engine_cost once); or use it anyway: \`LAB_ENGINE=installed make bootstrap\`"
}

if v=$(server_version) && [ -n "$v" ]; then
	pid=
	default_socket && pid=$(ours)
	built_here=
	# Engine 29 from tools/engine: its binary sits in build.sh's cache,
	# beside the VERSIONS file build.sh writes.
	if [ -n "$pid" ] && [ -f "$(dirname "$(dirname "$(readlink "/proc/$pid/exe")")")/VERSIONS" ]; then
		built_here=1
	fi
	case "$LAB_ENGINE" in
	auto)
		if [ "$(major "$v")" -ge "$LAB_ENGINE_MIN" ]; then
			log "using the Docker daemon that answers already ($(docker context show 2>/dev/null || echo default)): engine $v; changing nothing about it"
		elif [ -n "$pid" ]; then
			stop_ours "$pid" "$v"
			start_built
		else
			old_engine "$v"
		fi
		;;
	installed)
		if [ -n "$built_here" ]; then
			stop_ours "$pid" "$v"
			start_installed
		else
			log "using the Docker daemon that answers already ($(docker context show 2>/dev/null || echo default)): engine $v; changing nothing about it (LAB_ENGINE=installed)"
		fi
		;;
	built)
		if [ -n "$built_here" ]; then
			log "engine $v from tools/engine answers already (pid $pid); changing nothing about it"
		elif [ -n "$pid" ]; then
			stop_ours "$pid" "$v"
			start_built
		else
			die "a daemon that bootstrap did not start answers (engine $v): stop it and run LAB_ENGINE=built make bootstrap again, or leave LAB_ENGINE unset to use it"
		fi
		;;
	esac
else
	if [ -n "${DOCKER_HOST:-}" ]; then
		die "DOCKER_HOST=$DOCKER_HOST does not answer; unset it or start that daemon"
	fi
	case "$LAB_ENGINE" in
	installed) start_installed ;;
	built) start_built ;;
	auto)
		if command -v dockerd >/dev/null && [ "$(major "$(dockerd --version | awk '{print $3}')")" -ge "$LAB_ENGINE_MIN" ]; then
			start_installed
		else
			start_built
		fi
		;;
	esac
fi

# 3. CLI plugins, built from the pinned modules with their real versions,
#    where the docker CLI lacks them (Docker's own packages ship both).
#    Like the engine, each is compiled once per machine: into
#    $LAB_PLUGIN_CACHE/docker-<name>-<key>, <key> a hash of its go.mod,
#    go.sum, package, flags and Go toolchain, made aside and renamed into
#    place; a fresh clone or a new $DOCKER_CONFIG only copies it.
if [ -z "${LAB_PLUGIN_CACHE:-}" ]; then
	if [ "$(id -u)" = 0 ]; then LAB_PLUGIN_CACHE=/var/cache/labdocs/plugins; else LAB_PLUGIN_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/labdocs/plugins; fi
fi
build_plugin() { # name module-dir package ldflags
	local name=$1 dir=$2 pkg=$3 ldflags=$4 key cached
	if docker "$name" version >/dev/null 2>&1; then
		log "docker $name present: $(docker "$name" version | head -1)"
		return
	fi
	key=$({
		cat "tools/plugins/$dir/go.mod" "tools/plugins/$dir/go.sum"
		printf '%s\n%s\n' "$pkg" "$ldflags"
		go env GOVERSION GOOS GOARCH
	} | sha256sum | cut -c1-16)
	cached=$LAB_PLUGIN_CACHE/docker-$name-$key
	if [ -x "$cached" ]; then
		log "docker-$name compiled before on this machine: $cached"
	else
		log "building docker-$name from tools/plugins/$dir once for this machine (into $LAB_PLUGIN_CACHE)"
		mkdir -p "$LAB_PLUGIN_CACHE"
		(cd "tools/plugins/$dir" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w $ldflags" -o "$cached.tmp.$$" "$pkg")
		mv "$cached.tmp.$$" "$cached"
	fi
	mkdir -p "$plugins_dir"
	cp "$cached" "$plugins_dir/docker-$name.tmp.$$"
	mv "$plugins_dir/docker-$name.tmp.$$" "$plugins_dir/docker-$name"
	log "docker $name: $(docker "$name" version | head -1) in $plugins_dir"
}
version_of() { awk -v m="$1" '$1 == m { print $2; exit }' "tools/plugins/$2/go.mod"; }
build_plugin buildx buildx github.com/docker/buildx/cmd/buildx \
	"-X github.com/docker/buildx/version.Version=$(version_of github.com/docker/buildx buildx)"
build_plugin compose compose github.com/docker/compose/v2/cmd \
	"-X github.com/docker/compose/v2/internal.Version=$(version_of github.com/docker/compose/v2 compose)"
log "done"
