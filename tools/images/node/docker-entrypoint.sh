#!/bin/sh
set -e
# As in the official image: run the arguments with node when the first one
# is an option or not a command (e.g. a script file).
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
