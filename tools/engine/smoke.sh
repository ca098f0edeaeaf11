#!/usr/bin/env bash
# smoke.sh: the engine built by build.sh, tried without touching this
# machine's own daemon.
#
#   tools/engine/smoke.sh [BIN_DIR]     (root; BIN_DIR: build.sh --dir)
#
# It starts that dockerd as PID 1 of namespaces of its own: network (its
# own docker0, iptables and loopback, no way out), PID (when it ends, so
# does every process it started) and mount (its mounts vanish with it),
# with its own socket, data root, exec root and cgroup parent under a
# temporary directory. Then, with the docker CLI on PATH and its plugins,
# it checks what the lab needs: the version the daemon reports, the
# containerd image store, docker run, a published port (-p), a user
# network's name resolution, docker build, docker compose up. Images come
# from this machine's daemon (docker save, which changes nothing there):
# no registry is needed. Everything is removed at the end; it exits
# non-zero when a check fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

[ "$(id -u)" = 0 ] || { echo "smoke: needs root (namespaces)" >&2; exit 2; }
bin=${1:-$("$here/build.sh" --dir)} || { echo "smoke: the engine is not built: run tools/engine/build.sh" >&2; exit 2; }
image=${SMOKE_IMAGE:-busybox:latest}

dir=$(mktemp -d /var/tmp/labdocs-engine-smoke-XXXXXX)
sock=$dir/docker.sock
cgroup_parent=$(basename "$dir")
pid=
fails=0

say() { printf 'smoke: %s\n' "$*"; }
pass() { printf 'ok    %s\n' "$*"; }
fail() {
	printf 'FAIL  %s\n' "$*"
	fails=$((fails + 1))
}
cleanup() {
	if [ -n "$pid" ] && [ -e "/proc/$pid" ]; then
		kill -TERM "$pid"
		for _ in $(seq 1 120); do
			[ -e "/proc/$pid" ] || break
			sleep 0.5
		done
		[ -e "/proc/$pid" ] && kill -KILL "$pid"
	fi
	wait 2>/dev/null || true
	# The cgroup parent's directories, empty once dockerd has ended.
	find /sys/fs/cgroup -maxdepth 3 -depth -type d -path "*/$cgroup_parent*" -exec rmdir {} + 2>/dev/null || true
	if grep -q " $dir" /proc/mounts; then
		echo "smoke: mounts under $dir left behind:" >&2
		grep " $dir" /proc/mounts >&2
	fi
	[ "$fails" -gt 0 ] && cp "$dir/dockerd.log" "/var/tmp/$(basename "$dir")-dockerd.log" && say "dockerd's log kept in /var/tmp/$(basename "$dir")-dockerd.log"
	rm -rf "$dir"
}
trap cleanup EXIT

d() { docker -H "unix://$sock" "$@"; }
# inside runs a program in the daemon's network namespace.
inside() { nsenter -t "$pid" -n -- "$@"; }

say "starting $bin/dockerd in namespaces of its own (log: $dir/dockerd.log)"
t0=$(date +%s.%N)
unshare --net --mount --pid --fork --kill-child --mount-proc --propagation private \
	env PATH="$bin:$PATH" sh -c 'ip link set lo up && exec "$0" "$@"' \
	"$bin/dockerd" \
	--data-root "$dir/data" --exec-root "$dir/x" --pidfile "$dir/docker.pid" \
	--cgroup-parent "$cgroup_parent" --userland-proxy-path "$bin/docker-proxy" \
	-H "unix://$sock" >"$dir/dockerd.log" 2>&1 &
unshare_pid=$!
for _ in $(seq 1 600); do
	if d version >/dev/null 2>&1; then
		break
	fi
	kill -0 "$unshare_pid" 2>/dev/null || { tail -30 "$dir/dockerd.log"; fail "dockerd exited"; exit 1; }
	sleep 0.2
done
d version >/dev/null 2>&1 || { tail -30 "$dir/dockerd.log"; fail "dockerd did not answer within 120 s"; exit 1; }
t1=$(date +%s.%N)
# The pidfile holds dockerd's pid inside its PID namespace (1); this
# machine's pid for it is unshare's child.
pid=$(awk '{print $1}' "/proc/$unshare_pid/task/$unshare_pid/children")
[ "$(cat "/proc/$pid/comm")" = dockerd ] || { fail "process $pid is not dockerd"; exit 1; }
say "dockerd (pid $pid) answers after $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s"

# 1. What it is.
version=$(d version -f '{{.Server.Version}}')
[[ $version == 29.* ]] && pass "engine $version (API $(d version -f '{{.Server.APIVersion}}'), commit $(d version -f '{{.Server.GitCommit}}'), built $(d version -f '{{.Server.BuildTime}}'); CLI $(d version -f '{{.Client.Version}}'))" || fail "engine $version, want 29.x"
components=$(d version -f '{{range .Server.Components}}{{.Name}} {{.Version}}; {{end}}')
[[ $components == *"containerd v2.4"* || $components == *"containerd 2.4"* ]] && [[ $components == *"runc 1.5"* ]] &&
	pass "components: $components" || fail "components: $components (want containerd 2.4, runc 1.5)"
driver=$(d info -f '{{range .DriverStatus}}{{index . 0}}={{index . 1}} {{end}}')
[[ $driver == *"driver-type=io.containerd.snapshotter.v1"* ]] && pass "containerd image store: $driver" || fail "image store: $driver"

# 2. Images from this machine's daemon.
docker save "$image" | d load -q >/dev/null && pass "loaded $image from this machine's daemon" || fail "docker load $image"

# 3. docker run, and which shim and runc run it.
out=$(d run --rm "$image" echo hello 2>&1) && [ "$out" = hello ] && pass "docker run: $out" || fail "docker run: $out"
d run -d --name smoke-sleep "$image" sleep 60 >/dev/null
shim=$(for p in $(pgrep -f "containerd-shim-runc-v2 .*$dir"); do readlink "/proc/$p/exe"; done | sort -u | tr '\n' ' ')
[[ $shim == "$bin/containerd-shim-runc-v2 " ]] && pass "shim: $shim" || fail "shim: '$shim', want $bin/containerd-shim-runc-v2"
d rm -f smoke-sleep >/dev/null

# 4. A published port, reached in the daemon's network namespace.
d run -d --name smoke-web -p 18080:80 "$image" sh -c 'echo published > /tmp/index.html && exec httpd -f -p 80 -h /tmp' >/dev/null
out=
for _ in $(seq 1 50); do
	out=$(inside curl -fsS http://127.0.0.1:18080/index.html 2>&1) && break
	sleep 0.1
done
[ "$out" = published ] && pass "-p 18080:80: $out" || fail "-p 18080:80: $out"
d rm -f smoke-web >/dev/null

# 5. A user network: containers reach each other by name.
d network create smoke-net >/dev/null
d run -d --name smoke-srv --network smoke-net "$image" sh -c 'echo resolved > /tmp/index.html && exec httpd -f -p 80 -h /tmp' >/dev/null
out=$(d run --rm --network smoke-net "$image" sh -c 'for i in 1 2 3 4 5; do wget -qO- http://smoke-srv/index.html && exit; sleep 0.2; done; exit 1' 2>&1) &&
	[ "$out" = resolved ] && pass "user network, name resolution: $out" || fail "user network: $out"
d rm -f smoke-srv >/dev/null
d network rm smoke-net >/dev/null

# 6. docker build (BuildKit, through the buildx plugin).
mkdir "$dir/ctx"
printf 'FROM %s\nRUN echo built > /built\nCMD ["cat", "/built"]\n' "$image" >"$dir/ctx/Dockerfile"
if d build -q -t smoke-built "$dir/ctx" >"$dir/build.log" 2>&1; then
	out=$(d run --rm smoke-built 2>&1)
	[ "$out" = built ] && pass "docker build: $out" || fail "docker build, then run: $out"
else
	fail "docker build: $(tail -5 "$dir/build.log")"
fi

# 7. docker compose up.
mkdir "$dir/compose"
cat >"$dir/compose/compose.yaml" <<EOF
services:
  web:
    image: $image
    command: ["sh", "-c", "echo composed > /tmp/index.html && exec httpd -f -p 80 -h /tmp"]
  client:
    image: $image
    depends_on: [web]
    command: ["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://web/index.html && exit; sleep 0.3; done; exit 1"]
EOF
if out=$(d compose -p smoke -f "$dir/compose/compose.yaml" up --abort-on-container-exit --exit-code-from client 2>&1); then
	[[ $out == *"client-1  | composed"* ]] && pass "docker compose up: client-1 | composed" || fail "compose up printed: $out"
else
	fail "docker compose up: $(echo "$out" | tail -5)"
fi
d compose -p smoke -f "$dir/compose/compose.yaml" down -t 1 >/dev/null 2>&1 || true

say "$fails check(s) failed"
[ "$fails" -eq 0 ]
