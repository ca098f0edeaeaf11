#!/bin/sh
# The stand-in's own entrypoint, written for this lab. Like the official
# node image's: `docker run node:24 app.js` or `... --version` runs node
# with those arguments; a command (`npm test`, `bash`) runs as it is.
set -e

first=$1
is_option=
case "$first" in
-*) is_option=1 ;;
esac
# node takes the arguments when the first one is an option, is no command
# on PATH, or is a plain file that is not executable (a script to run).
if [ -n "$is_option" ] || ! command -v "$first" >/dev/null 2>&1 ||
	{ [ -f "$first" ] && [ ! -x "$first" ]; }; then
	set -- node "$@"
fi

exec "$@"
