#!/bin/sh
# The stand-in's own entrypoint, written for this lab; it treats its
# arguments as the official registry image's /entrypoint.sh does:
#   a config file (*.yml, *.yaml)       -> registry serve FILE
#   serve, garbage-collect, help, -...  -> registry ARGS
#   anything else (sh, ls ...)          -> run as given
set -e

case "$1" in
*.yml | *.yaml) set -- registry serve "$@" ;;
serve | garbage-collect | help | -*) set -- registry "$@" ;;
esac

exec "$@"
