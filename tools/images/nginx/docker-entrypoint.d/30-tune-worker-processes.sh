#!/bin/sh
# The stand-in's own script (same name, variable and messages as the
# official image's): with NGINX_ENTRYPOINT_WORKER_PROCESSES_AUTOTUNE set,
# worker_processes in nginx.conf becomes the number of CPUs this container
# may use: the fewest of the CPUs online, its cpuset and its CPU quota
# (cgroup v1 or v2).
set -eu

ME=$(basename "$0")
[ -n "${NGINX_ENTRYPOINT_WORKER_PROCESSES_AUTOTUNE:-}" ] || exit 0

conf=/etc/nginx/nginx.conf
touch "$conf" 2>/dev/null || { echo >&2 "$ME: error: can not modify $conf (read-only file system?)"; exit 0; }

# count_cpus LIST: how many CPUs a cpuset list such as 0-3,6 names.
count_cpus() {
	n=0
	for part in $(echo "$1" | tr ',' ' '); do
		case "$part" in
		*-*) n=$((n + ${part#*-} - ${part%-*} + 1)) ;;
		*) n=$((n + 1)) ;;
		esac
	done
	echo "$n"
}

# quota QUOTA PERIOD: CPUs a CFS quota allows, rounded up; nothing if unlimited.
quota() {
	case "$1" in max | -1 | "") return ;; esac
	[ "${2:-0}" -gt 0 ] || return 0
	echo $((($1 + $2 - 1) / $2))
}

best=$(getconf _NPROCESSORS_ONLN)
consider() {
	if [ -n "$1" ] && [ "$1" -gt 0 ] && [ "$1" -lt "$best" ]; then
		best=$1
	fi
}

# Inside a container, its own cgroup is mounted at the root of the
# cgroup file system.
for f in /sys/fs/cgroup/cpuset.cpus.effective /sys/fs/cgroup/cpuset/cpuset.effective_cpus; do
	[ -r "$f" ] && consider "$(count_cpus "$(cat "$f")")"
done
if [ -r /sys/fs/cgroup/cpu.max ]; then
	read -r q p < /sys/fs/cgroup/cpu.max
	consider "$(quota "$q" "$p")"
fi
for d in /sys/fs/cgroup/cpu /sys/fs/cgroup/cpu,cpuacct; do
	if [ -r "$d/cpu.cfs_quota_us" ] && [ -r "$d/cpu.cfs_period_us" ]; then
		consider "$(quota "$(cat "$d/cpu.cfs_quota_us")" "$(cat "$d/cpu.cfs_period_us")")"
	fi
done

sed -i.bak "s/^\(worker_processes\)\(.*\)\$/# Commented out by $ME on $(date)\n#\1\2\n\1 $best;/" "$conf"
