#!/bin/sh
# The stand-in's own script (same name, variables and messages as the
# official image's): every *.template under /etc/nginx/templates becomes a
# file of the same relative path, without the suffix, in /etc/nginx/conf.d,
# with ${VARIABLES} of the environment replaced (only those set). Files
# named *.stream-template go to /etc/nginx/stream-conf.d, which nginx.conf
# is made to include in a stream block.
set -e

ME=$(basename "$0")
say() {
	[ -n "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] || echo "$ME: $*"
}

templates="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
out="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
stream_suffix="${NGINX_ENVSUBST_STREAM_TEMPLATE_SUFFIX:-.stream-template}"
stream_out="${NGINX_ENVSUBST_STREAM_OUTPUT_DIR:-/etc/nginx/stream-conf.d}"
filter="${NGINX_ENVSUBST_FILTER:-}"

[ -d "$templates" ] || exit 0

# The variables envsubst may replace: those set, whose names match filter.
vars=
for name in $(env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p'); do
	if [ -z "$filter" ] || echo "$name" | grep -Eq -- "$filter"; then
		vars="$vars \${$name}"
	fi
done

# render SUFFIX TARGET: every template with that suffix into TARGET.
render() {
	find "$templates" -follow -type f -name "*$1" -print | while read -r tpl; do
		rel="${tpl#"$templates/"}"
		dest="$2/${rel%"$1"}"
		mkdir -p "$(dirname "$dest")"
		say "Running envsubst on $tpl to $dest"
		envsubst "$vars" < "$tpl" > "$dest"
	done
}

if [ ! -w "$out" ]; then
	say "ERROR: $templates exists, but $out is not writable"
	exit 0
fi
render "$suffix" "$out"

if [ -n "$(find "$templates" -name "*$stream_suffix" -print | head -n 1)" ]; then
	mkdir -p "$stream_out"
	if [ ! -w "$stream_out" ]; then
		say "ERROR: $templates exists, but $stream_out is not writable"
		exit 0
	fi
	conf=/etc/nginx/nginx.conf
	if grep -Eq '^[[:space:]]*stream[[:space:]]*\{' "$conf"; then
		say "$conf contains a stream block; include $stream_out/*.conf to enable stream templates"
	elif ! touch "$conf" 2>/dev/null; then
		say "info: can not modify $conf (read-only file system?)"
		exit 0
	else
		say "Appending stream block to $conf to include $stream_out/*.conf"
		printf '# added by "%s" on "%s"\nstream {\n  include %s/*.conf;\n}\n' "$ME" "$(date)" "$stream_out" >> "$conf"
	fi
	render "$stream_suffix" "$stream_out"
fi
