#!/usr/bin/env bash
# pg-rehearse's entrypoint for its local PostgreSQL 15 image (built by image/build).
#
# It behaves like the official `postgres` image's docker-entrypoint.sh:
#   - env POSTGRES_PASSWORD, POSTGRES_USER (default postgres), POSTGRES_DB
#     (default: the user), POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD
#     (default scram-sha-256) and the *_FILE variant of each (read as root,
#     before privileges are dropped, so a root-owned 0600 secret works);
#   - PGDATA (default /var/lib/postgresql/data): on an empty one, initdb, then a
#     TEMPORARY bootstrap server on the unix socket only runs
#     /docker-entrypoint-initdb.d/* (*.sh, *.sql, *.sql.gz, *.sql.xz) in sorted
#     order, then stops; only then the real server starts and listens on TCP;
#   - `docker run IMAGE -c x=y` runs postgres with those options; any other
#     command (`bash -c ...`, `--entrypoint sleep`) is executed as it is.
# Logs go to stderr. The password is never printed nor put on a command line.
set -Eeo pipefail

log() {
	printf '%s [entrypoint] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*" >&2
}

die() {
	log "error: $*"
	exit 1
}

# usage: file_env VAR [DEFAULT]
# Fills VAR from the file named by VAR_FILE when that is set; exports VAR and
# unsets VAR_FILE. Setting both is an error.
file_env() {
	local var="$1" def="${2:-}"
	local fileVar="${var}_FILE"
	if [ -n "${!var:-}" ] && [ -n "${!fileVar:-}" ]; then
		die "both $var and $fileVar are set (they are exclusive)"
	fi
	local val="$def"
	if [ -n "${!var:-}" ]; then
		val="${!var}"
	elif [ -n "${!fileVar:-}" ]; then
		[ -r "${!fileVar}" ] || die "$fileVar names '${!fileVar}', which cannot be read by uid $(id -u)"
		val="$(<"${!fileVar}")"
	fi
	export "$var"="$val"
	unset "$fileVar"
}

# The settings, read from the environment or from the *_FILE files.
setup_env() {
	: "${PGDATA:=/var/lib/postgresql/data}"
	export PGDATA
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_USER postgres
	file_env POSTGRES_DB "$POSTGRES_USER"
	file_env POSTGRES_INITDB_ARGS
	: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"
	export POSTGRES_HOST_AUTH_METHOD
}

# True when postgres is asked only for its help or version (no init then).
want_help() {
	local arg
	for arg; do
		case "$arg" in
			-'?' | --help | --describe-config | -V | --version) return 0 ;;
		esac
	done
	return 1
}

# Directories the server needs, owned by the user running it.
create_dirs() {
	local uid
	uid="$(id -u)"
	mkdir -p "$PGDATA"
	chmod 700 "$PGDATA" 2>/dev/null || :
	mkdir -p /var/run/postgresql
	chmod 2775 /var/run/postgresql 2>/dev/null || :
	if [ "$uid" = 0 ]; then
		# like chown -R, but touching only what postgres does not own yet
		chown postgres:postgres "$PGDATA" /var/run/postgresql
		find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' + 2>/dev/null || :
	fi
}

is_initialised() {
	[ -s "$PGDATA/PG_VERSION" ]
}

run_initdb() {
	local authHost="$POSTGRES_HOST_AUTH_METHOD"
	if [ -z "$POSTGRES_PASSWORD" ] && [ "$authHost" != trust ]; then
		die "the database is not initialised and no superuser password is set:
	set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE (a non-empty password),
	or POSTGRES_HOST_AUTH_METHOD=trust to allow every connection without one (not recommended)"
	fi
	log "initialising $PGDATA (superuser \"$POSTGRES_USER\", locale C.UTF-8, encoding UTF8, host auth $authHost)"
	# shellcheck disable=SC2034 # used in the eval below
	local args=(--username="$POSTGRES_USER" --locale=C.UTF-8 --encoding=UTF8
		--auth-host="$authHost" --auth-local=trust)
	if [ -n "$POSTGRES_PASSWORD" ]; then
		# the password reaches initdb through a pipe, never through argv
		# POSTGRES_INITDB_ARGS is word-split with shell quoting, as in the official image
		eval 'initdb "${args[@]}" --pwfile=<(printf "%s\n" "$POSTGRES_PASSWORD") '"$POSTGRES_INITDB_ARGS"
	else
		eval 'initdb "${args[@]}" '"$POSTGRES_INITDB_ARGS"
	fi
	printf '\nlisten_addresses = '"'*'"'\n' >>"$PGDATA/postgresql.conf"
	printf '\nhost all all all %s\n' "$authHost" >>"$PGDATA/pg_hba.conf"
}

TEMP_SERVER_UP=

temp_server_start() {
	log "starting the temporary bootstrap server (unix socket only, no TCP)"
	# PGUSER/PGPASSWORD for pg_ctl's readiness check, in case INITDB_ARGS changed local auth
	PGUSER="$POSTGRES_USER" PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}" \
		pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
	TEMP_SERVER_UP=1
	log "temporary bootstrap server started"
}

temp_server_stop() {
	log "stopping the temporary bootstrap server"
	PGUSER="$POSTGRES_USER" PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}" \
		pg_ctl -D "$PGDATA" -m fast -w stop
	TEMP_SERVER_UP=
	log "temporary bootstrap server stopped"
}

# A stop (docker stop, SIGINT or SIGTERM) while the bootstrap runs: stop the
# temporary server and leave at once (the kernel ends what is left when PID 1 exits).
on_signal() {
	log "signal received during the bootstrap: stopping"
	if [ -n "$TEMP_SERVER_UP" ]; then
		pg_ctl -D "$PGDATA" -m immediate -w stop >&2 || :
	fi
	exit "$1"
}

# Runs a command in the background and waits for it, so that a signal's trap
# runs at once instead of after the command (an init script may take long).
run_waited() {
	local pid rc=0
	"$@" &
	pid=$!
	wait "$pid" || rc=$?
	return "$rc"
}

# psql against the temporary server, as the superuser
psql_boot() {
	PGPASSWORD="${PGPASSWORD:-$POSTGRES_PASSWORD}" \
		psql -X -v ON_ERROR_STOP=1 --no-password --username "$POSTGRES_USER" "$@"
}

create_db() {
	[ "$POSTGRES_DB" = postgres ] && return 0
	local exists
	exists="$(psql_boot --dbname postgres -At --set db="$POSTGRES_DB" <<<"SELECT 1 FROM pg_database WHERE datname = :'db';")"
	if [ -z "$exists" ]; then
		log "creating database \"$POSTGRES_DB\""
		psql_boot --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
	fi
}

# usage: psql_pipe gunzip|xz FILE
psql_pipe() {
	"$1" -dc "$2" | psql_boot --dbname "$POSTGRES_DB"
}

run_init_files() {
	local f
	shopt -s nullglob
	local files=(/docker-entrypoint-initdb.d/*)
	shopt -u nullglob
	# sorted by byte value, whatever the locale
	local sorted=()
	if [ "${#files[@]}" -gt 0 ]; then
		mapfile -d '' -t sorted < <(printf '%s\0' "${files[@]}" | LC_ALL=C sort -z)
	fi
	for f in "${sorted[@]}"; do
		case "$f" in
			*.sh)
				if [ -x "$f" ]; then
					log "running $f"
					run_waited "$f"
				else
					log "sourcing $f"
					# shellcheck disable=SC1090
					. "$f"
				fi
				;;
			*.sql)
				log "running $f"
				run_waited psql_boot --dbname "$POSTGRES_DB" -f "$f"
				;;
			*.sql.gz)
				log "running $f"
				run_waited psql_pipe gunzip "$f"
				;;
			*.sql.xz)
				command -v xz >/dev/null || die "cannot run $f: this image has no xz"
				log "running $f"
				run_waited psql_pipe xz "$f"
				;;
			*) log "ignoring $f" ;;
		esac
	done
}

bootstrap() {
	trap 'on_signal 130' INT
	trap 'on_signal 143' TERM
	run_initdb
	temp_server_start
	create_db
	run_init_files
	temp_server_stop
	trap - INT TERM
	log "PostgreSQL init process complete; ready for start up"
}

main() {
	if [ "${1:0:1}" = '-' ]; then
		set -- postgres "$@"
	fi

	if [ "$1" = postgres ] && ! want_help "$@"; then
		setup_env
		if [ "$(id -u)" = 0 ]; then
			# as root: the *_FILE secrets were read above (then unset), the
			# directories are made; now drop to the postgres user and start again
			create_dirs
			export HOME=/var/lib/postgresql
			exec setpriv --reuid=postgres --regid=postgres --init-groups -- "${BASH_SOURCE[0]}" "$@"
		fi
		create_dirs
		if is_initialised; then
			log "$PGDATA is already initialised: skipping the bootstrap"
		else
			bootstrap >&2
		fi
		# the server does not need the password in its environment
		unset POSTGRES_PASSWORD PGPASSWORD
		log "starting PostgreSQL (the real server, listening on TCP)"
	fi

	exec "$@"
}

main "$@"
