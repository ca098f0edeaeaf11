#!/bin/sh
set -e

# `docker run redis --appendonly yes` or `... redis.conf`: run redis-server.
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

if [ "$1" = 'redis-server' ]; then
	# Debian's build keeps protected mode on; the official image turns it
	# off so that linked containers can connect. A config file decides for
	# itself.
	case " $* " in
	*protected-mode* | *.conf\ *) ;;
	*) set -- "$@" --protected-mode no ;;
	esac
	# Drop root, as the official image does, after giving redis its data.
	if [ "$(id -u)" = '0' ]; then
		find . \! -user redis -exec chown redis '{}' +
		exec setpriv --reuid=redis --regid=redis --init-groups "$@"
	fi
fi

exec "$@"
