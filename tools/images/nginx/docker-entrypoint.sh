#!/bin/sh
# The stand-in's own entrypoint, written for this lab. It behaves like the
# official nginx image's /docker-entrypoint.sh and prints the same lines:
# before nginx starts, the files of /docker-entrypoint.d/ are handled in
# version order (*.envsh sourced, *.sh run, if executable).
# NGINX_ENTRYPOINT_QUIET_LOGS=1 silences it.
set -e

say() {
	[ -n "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ] || echo "$@"
}

case "$1" in
nginx | nginx-debug)
	dir=/docker-entrypoint.d/
	if [ -z "$(find "$dir" -mindepth 1 -maxdepth 1 -type f -print 2>/dev/null | head -n 1)" ]; then
		say "$0: No files found in $dir, skipping configuration"
	else
		say "$0: $dir is not empty, will attempt to perform configuration"
		say "$0: Looking for shell scripts in $dir"
		# The list comes in through a here-document, not a pipe, so that
		# the loop runs in this shell: what an *.envsh file exports reaches
		# the scripts after it. No temporary file: the root file system
		# may be read-only.
		while read -r f; do
			[ -n "$f" ] || continue
			case "$f" in
			*.envsh)
				if [ -x "$f" ]; then
					say "$0: Sourcing $f"
					. "$f"
				else
					say "$0: Ignoring $f, not executable"
				fi
				;;
			*.sh)
				if [ -x "$f" ]; then
					say "$0: Launching $f"
					"$f"
				else
					say "$0: Ignoring $f, not executable"
				fi
				;;
			*) say "$0: Ignoring $f" ;;
			esac
		done <<-LIST
			$(find "$dir" -follow -type f -print | sort -V)
		LIST
		say "$0: Configuration complete; ready for start up"
	fi
	;;
esac

exec "$@"
