#!/bin/sh
# The stand-in's own script (same name and messages as the official
# image's): when the host has IPv6, add `listen [::]:80;` to the default
# server, unless its file was changed or cannot be written.
set -e

ME=$(basename "$0")
conf=/etc/nginx/conf.d/default.conf
# Written at build time: the default server as the image ships it. The
# official image asks dpkg for the checksum of its nginx package's file;
# this one's file comes from the recipe, not from Debian's package.
shipped=/usr/share/nginx/default.conf.md5

info() {
	[ -n "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] || echo "$ME: info: $*"
}

[ -f /proc/net/if_inet6 ] || { info "ipv6 not available"; exit 0; }
[ -f "$conf" ] || { info "$conf is not a file or does not exist"; exit 0; }
touch "$conf" 2>/dev/null || { info "can not modify $conf (read-only file system?)"; exit 0; }
if grep -q 'listen  \[::\]:80;' "$conf"; then
	info "IPv6 listen already enabled"
	exit 0
fi
[ -f /etc/os-release ] || { info "can not guess the operating system"; exit 0; }

info "Getting the checksum of $conf"
if ! md5sum --status -c "$shipped" 2>/dev/null; then
	info "$conf differs from the packaged version"
	exit 0
fi

sed -i 's/^\( *\)listen       80;$/&\n\1listen  [::]:80;/' "$conf"
info "Enabled listen on IPv6 in $conf"
