#!/usr/bin/env bash
# scenarios.sh: bootstrap.sh's choice of daemon, tried in a sandbox that
# leaves this machine's own daemon alone.
#
#   tools/bootstrap/scenarios.sh        (root; engine 29 built by
#                                        tools/engine/build.sh, and
#                                        Debian's dockerd installed)
#
# Each scenario runs bootstrap.sh in namespaces of its own: network, PID
# (this machine's processes are out of its sight and reach) and mount,
# where /run is an empty tmpfs (so no daemon answers on the default
# socket until one is started there) and /var/lib/docker and
# /var/lib/labdocs are empty directories of the sandbox. The daemon a
# scenario starts ends with its PID namespace. It checks what bootstrap
# says and which engine answers afterwards, and exits non-zero when one
# scenario does not go as it should.
set -euo pipefail
cd "$(dirname "$0")/../.."

[ "$(id -u)" = 0 ] || { echo "scenarios: needs root (namespaces)" >&2; exit 2; }
tools/engine/build.sh --dir >/dev/null || { echo "scenarios: build engine 29 first: tools/engine/build.sh" >&2; exit 2; }
command -v dockerd >/dev/null || { echo "scenarios: needs an installed dockerd (docker.io)" >&2; exit 2; }
installed=$(dockerd --version | awk '{print $3}' | tr -d ,)
installed_re=$(printf '%s' "$installed" | sed 's/[.+*?()|^$]/\\&/g') # as a grep -E pattern

top=$(mktemp -d /var/tmp/labdocs-bootstrap-scenarios-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$top"' EXIT
fails=0

# sandbox runs a bash script in the namespaces, with the repository as
# its working directory; its output goes to $top/<name>.out.
sandbox() { # name script
	local name=$1 script=$2 box=$top/$1
	mkdir -p "$box/docker" "$box/labdocs"
	unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
		env -u DOCKER_HOST -u DOCKER_CONTEXT LAB_DOCKERD_LOG="$box/dockerd.log" \
		bash -c 'set -e
			mount -t tmpfs -o mode=755 labdocs-scenarios /run
			mount --bind "$0/docker" /var/lib/docker
			mkdir -p /var/lib/labdocs && mount --bind "$0/labdocs" /var/lib/labdocs
			ip link set lo up
			eval "$1"' "$box" "$script" >"$box.out" 2>&1
}

expect() { # name status wants... (each a grep -E pattern of the output)
	local name=$1 want_status=$2 status
	shift 2
	status=$(cat "$top/$name.status")
	local ok=1
	[ "$status" = "$want_status" ] || ok=
	for w in "$@"; do grep -qE -- "$w" "$top/$name.out" || { ok=; echo "  lacks: $w"; }; done
	if [ -n "$ok" ]; then
		printf 'ok    %s\n' "$name"
	else
		printf 'FAIL  %s (exit %s, want %s):\n' "$name" "$status" "$want_status"
		sed 's/^/  | /' "$top/$name.out"
		fails=$((fails + 1))
	fi
}

run() { # name script
	local rc=0
	sandbox "$1" "$2" || rc=$?
	echo "$rc" >"$top/$1.status"
}

# What a scenario runs after bootstrap: the engine that answers, and how
# long the run took.
engine='echo "answers: $(docker version -f "{{.Server.Version}}" 2>&1)"'
timed='t0=$(date +%s.%N); rc=0; tools/bootstrap/bootstrap.sh || rc=$?; echo "bootstrap took $(awk -v a="$t0" -v b="$(date +%s.%N)" "BEGIN { printf \"%.1f\", b - a }") s"; '

# 1. No daemon: auto starts engine 29 (built already, so it compiles
#    nothing), and a second run changes nothing.
run no-daemon "$timed $engine; tools/bootstrap/bootstrap.sh; $engine; exit \$rc"
expect no-daemon 0 'engine 29 already built' 'dockerd answers after [0-9]+ s: engine 29\.' \
	'answers: 29\.' 'engine 29\.[0-9.]+; changing nothing about it'

# 2. The installed (old) engine that an older bootstrap started, known
#    by its log and docker's own pidfile: auto stops it and starts 29,
#    whose containers then publish ports on the network the old engine
#    left (its docker0 and iptables chains). busybox comes from this
#    machine's daemon (docker save).
docker save busybox:latest -o "$top/busybox.tar"
run old-ours "setsid nohup dockerd >\"\$LAB_DOCKERD_LOG\" 2>&1 </dev/null &
	for i in \$(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
	$engine; $timed $engine
	docker load -q -i $top/busybox.tar
	c=\$(docker run -d -p 18080:80 busybox sh -c 'echo published > /tmp/i.html && exec httpd -f -p 80 -h /tmp')
	for i in \$(seq 1 50); do curl -fsS http://127.0.0.1:18080/i.html && break; sleep 0.1; done
	docker rm -f \$c >/dev/null # its cgroup, under the parent this machine's daemon uses too, goes with it
	exit \$rc"
expect old-ours 0 "answers: $installed_re" "stopping engine $installed_re \\(pid [0-9]+\\), which bootstrap started" \
	'dockerd answers after [0-9]+ s: engine 29\.' 'answers: 29\.' '^published$'

# 3. An old engine someone else runs (its output is not bootstrap's log):
#    bootstrap stops with what to do, and the engine keeps running.
run old-theirs "setsid nohup dockerd >/dev/null 2>&1 </dev/null &
	for i in \$(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
	$timed $engine; exit \$rc"
expect old-theirs 2 "is engine $installed_re; the lab needs engine >= 28, and bootstrap did not start this one" \
	'LAB_ENGINE=installed make bootstrap' "answers: $installed_re"

# 4. The same with LAB_ENGINE=installed: used as it is.
run old-theirs-installed "setsid nohup dockerd >/dev/null 2>&1 </dev/null &
	for i in \$(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
	export LAB_ENGINE=installed; $timed $engine; exit \$rc"
expect old-theirs-installed 0 "engine $installed_re; changing nothing about it \\(LAB_ENGINE=installed\\)" "answers: $installed_re"

# 5. Engine 29 that bootstrap started, then LAB_ENGINE=installed: back to
#    the installed engine (the engine matrix's way to the second one).
run back-to-installed "tools/bootstrap/bootstrap.sh >/dev/null; $engine
	export LAB_ENGINE=installed; $timed $engine; exit \$rc"
expect back-to-installed 0 'answers: 29\.' 'stopping engine 29\.' "starting the installed dockerd $installed_re" \
	"answers: $installed_re"

# 6. LAB_ENGINE=built beside a daemon bootstrap did not start: refused.
run built-theirs "setsid nohup dockerd >/dev/null 2>&1 </dev/null &
	for i in \$(seq 1 120); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
	export LAB_ENGINE=built; $timed $engine; exit \$rc"
expect built-theirs 2 'a daemon that bootstrap did not start answers' "answers: $installed_re"

# 7. A wrong LAB_ENGINE.
run bad-mode "LAB_ENGINE=newest tools/bootstrap/bootstrap.sh"
expect bad-mode 2 'LAB_ENGINE=newest: want auto, installed or built'

# 8. CLI plugins missing (a new DOCKER_CONFIG): compiled once into the
#    machine's plugin cache; a second new DOCKER_CONFIG only copies them.
mkdir -p "$top/plugins"
run plugins "export DOCKER_CONFIG=$top/plugins/config1 LAB_PLUGIN_CACHE=$top/plugins/cache
	$timed export DOCKER_CONFIG=$top/plugins/config2; tools/bootstrap/bootstrap.sh
	docker compose version; ls $top/plugins/cache; exit \$rc"
expect plugins 0 'building docker-compose from tools/plugins/compose once for this machine' \
	'building docker-buildx from tools/plugins/buildx once for this machine' \
	'docker-compose compiled before on this machine' 'docker-buildx compiled before on this machine' \
	'^Docker Compose version v2\.' '^docker-compose-[0-9a-f]{16}$'

grep -h 'bootstrap took' "$top"/*.out | sed 's/^/      /' | head -3
if grep -q " $top" /proc/mounts; then
	echo "FAIL  mounts left under $top" && fails=$((fails + 1))
fi
echo "scenarios: $fails failed"
[ "$fails" -eq 0 ]
