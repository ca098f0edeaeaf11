#!/bin/sh
# The stand-in's own entrypoint, written for this lab; it does what the
# official redis image's docker-entrypoint.sh does, with the same messages:
#  - `docker run redis --appendonly yes` or `... redis.conf` runs redis-server;
#  - as root, redis-server starts as the redis user, after the data folder
#    (and a config file) were made readable for it;
#  - Debian's redis-server keeps protected mode on by default, the official
#    build turns it off: without a config file, this script turns it off.
set -e

fix_notice='Use SKIP_FIX_PERMS=1 to skip permission changes.'

if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then
	set -- redis-server "$@"
fi

# Like the official image: a server is whatever resolves to the program
# redis-server resolves to (one program with several names: Debian's
# redis-server is a link to redis-check-rdb); a sentinel is
# redis-sentinel, or redis-server --sentinel.
cmd=$(command -v "$1" 2>/dev/null || :)
server=
sentinel=
if [ -n "$cmd" ] && [ "$(readlink -f "$cmd")" = "$(readlink -f "$(command -v redis-server)")" ]; then
	server=1
fi
case "$(basename "${cmd:-$1}")" in
redis-sentinel) sentinel=1 ;;
redis-server)
	for a in "$@"; do
		[ "$a" = --sentinel ] && sentinel=1
	done
	;;
esac

config=
if [ -n "$server" ] && [ -n "${2:-}" ] && [ "${2#-}" = "$2" ]; then
	config=$2
fi

# can CAP: whether this process may still use capability CAP.
can() {
	setpriv -d | grep -q "Capability bounding set:.*\b$1\b"
}

# as_redis TEST...: run test(1) as the redis user.
as_redis() {
	setpriv --reuid redis --regid redis --clear-groups test "$@"
}

# give_to_redis MODE FILE...: make each file readable (r) or readable and
# writable (rw) for redis, owning it if needed.
give_to_redis() {
	mode=$1
	shift
	for f in "$@"; do
		if [ "$mode" = rw ]; then
			as_redis -r "$f" -a -w "$f" && continue
		else
			as_redis -r "$f" && continue
		fi
		m=$mode
		[ -d "$f" ] && m="${mode}x"
		err=$(chown redis "$f" 2>&1) || echo "Warning: cannot change owner to 'redis' for '$f': $err. $fix_notice"
		err=$(chmod "u+$m" "$f" 2>&1) || echo "Warning: cannot change mode to 'u+$m' for '$f': $err. $fix_notice"
	done
}

if [ -n "$server" ] && [ -z "${SKIP_DROP_PRIVS:-}" ] && [ "$(id -u)" = 0 ] && can setuid && can setgid; then
	if [ -z "${SKIP_FIX_PERMS:-}" ]; then
		if [ -z "$sentinel" ]; then
			# Only a data folder holding what Redis writes (dump files and
			# the append-only folder) is changed.
			other=$(find . -mindepth 1 -maxdepth 1 ! -name '*.rdb' ! \( -type d -name appendonlydir \) -print | head -n 1)
			if [ -z "$other" ]; then
				find . -print | while IFS= read -r f; do give_to_redis rw "$f"; done
			else
				echo "Notice: Unknown file '$other' found in data dir. Permissions will not be modified. $fix_notice"
			fi
		fi
		if [ -n "$config" ] && [ -f "$config" ]; then
			dir=$(dirname "$config")
			other=$(find "$dir" -mindepth 1 -maxdepth 1 ! -name "$(basename "$config")" -print | head -n 1)
			if [ -z "$other" ]; then
				m=r
				[ -n "$sentinel" ] && m=rw
				give_to_redis "$m" "$dir" "$config"
			else
				echo "Notice: Unknown file '$other' found in '$dir'. Permissions will not be modified. $fix_notice"
			fi
		fi
	fi
	keep=
	can sys_resource && keep=,+sys_resource
	exec setpriv --reuid redis --regid redis --clear-groups --nnp \
		--inh-caps=-all$keep --ambient-caps=-all$keep --bounding-set=-all$keep \
		"$0" "$@"
fi

if [ "$(umask)" = 0022 ]; then
	umask 0077
fi

if [ -n "$server" ] && [ -z "$sentinel" ]; then
	echo "Starting Redis Server"
	if [ -z "$config" ]; then
		case " $* " in
		*" --protected-mode "*) ;;
		*) set -- "$@" --protected-mode no ;;
		esac
	fi
	modules=/usr/local/lib/redis/modules/
	if [ ! -d "$modules" ]; then
		echo "Warning: Default Redis modules directory $modules does not exist."
	else
		for m in "$modules"*.so; do
			[ -e "$m" ] || continue
			if [ ! -s "$m" ]; then
				echo "Skipping module $m: file has no size."
			elif [ -d "$m" ]; then
				echo "Skipping module $m: is a directory."
			elif [ ! -r "$m" ]; then
				echo "Skipping module $m: file is not readable."
			elif [ ! -x "$m" ]; then
				echo "Warning: Module $m is not executable."
			else
				set -- "$@" --loadmodule "$m"
			fi
		done
	fi
fi

exec "$@"
