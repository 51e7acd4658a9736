#!/bin/sh
# Writes the config a Redis or Sentinel pod starts with: `init.sh redis` or `init.sh sentinel`.
# The primary is the one the sentinels name (SENTINEL get-master-addr-by-name), so a pod that
# restarts after a failover rejoins as a replica of the new primary; when no sentinel answers
# (the first start, or no sentinels at all) it is DEFAULT_PRIMARY_HOST (pod 0).
#
# Environment: REDIS_PASSWORD; ANNOUNCE_HOST (this pod's stable DNS name), ANNOUNCE_PORT;
# DEFAULT_PRIMARY_HOST, DEFAULT_PRIMARY_PORT; CONF_IN (redis.conf, redis only), CONF_OUT;
# optional SENTINEL_HOST, SENTINEL_PORT (26379), MASTER_NAME (coxswain), QUORUM (2),
# REDIS_SENTINEL_PASSWORD (required by a sentinel). Passwords are letters, digits and ._+/=-
# only (openssl rand -hex 32): they are written into the config between double quotes.
set -eu
mode=${1:?usage: init.sh redis|sentinel}
# A quote, backslash or line break would end the value early and turn the rest into config
# lines of its own (or change the password Redis keeps); an empty one turns authentication off.
for name in REDIS_PASSWORD REDIS_SENTINEL_PASSWORD; do
  eval "value=\${$name:-}"
  case "$value" in
    *[!A-Za-z0-9._+/=-]*)
      echo "init: $name may hold only letters, digits and ._+/=- (openssl rand -hex 32)" >&2
      exit 2 ;;
  esac
done
if [ -z "${REDIS_PASSWORD:-}" ]; then
  echo "init: REDIS_PASSWORD is not set" >&2
  exit 2
fi
# A sentinel that takes commands from anyone lets anyone who reaches it name another primary,
# which every client then follows and sends REDIS_PASSWORD to.
if [ "$mode" = sentinel ] && [ -z "${REDIS_SENTINEL_PASSWORD:-}" ]; then
  echo "init: REDIS_SENTINEL_PASSWORD is not set; a sentinel needs a password of its own" >&2
  exit 2
fi
master=${MASTER_NAME:-coxswain}
primary_host=""
primary_port=""

if [ -n "${SENTINEL_HOST:-}" ]; then
  if [ -n "${REDIS_SENTINEL_PASSWORD:-}" ]; then export REDISCLI_AUTH="$REDIS_SENTINEL_PASSWORD"; fi
  answer=$(timeout 5 redis-cli -h "$SENTINEL_HOST" -p "${SENTINEL_PORT:-26379}" --raw \
    SENTINEL get-master-addr-by-name "$master" 2>/dev/null || true)
  unset REDISCLI_AUTH
  primary_host=$(printf '%s\n' "$answer" | sed -n 1p)
  primary_port=$(printf '%s\n' "$answer" | sed -n 2p)
  case "$primary_port" in ''|*[!0-9]*) primary_host="" ;; esac
fi
if [ -z "$primary_host" ]; then
  primary_host=$DEFAULT_PRIMARY_HOST
  primary_port=$DEFAULT_PRIMARY_PORT
  echo "init: no sentinel names a primary; using $primary_host:$primary_port"
else
  echo "init: the sentinels name $primary_host:$primary_port as the primary"
fi

umask 077
if [ "$mode" = redis ]; then
  {
    cat "$CONF_IN"
    echo "port $ANNOUNCE_PORT"
    echo "requirepass \"$REDIS_PASSWORD\""
    echo "masterauth \"$REDIS_PASSWORD\""
    echo "replica-announce-ip $ANNOUNCE_HOST"
    echo "replica-announce-port $ANNOUNCE_PORT"
    if [ "$primary_host:$primary_port" != "$ANNOUNCE_HOST:$ANNOUNCE_PORT" ]; then
      echo "replicaof $primary_host $primary_port"
    fi
  } > "$CONF_OUT"
elif [ "$mode" = sentinel ]; then
  {
    echo "port $ANNOUNCE_PORT"
    echo "protected-mode no"
    echo "dir /tmp"
    echo "sentinel resolve-hostnames yes"
    echo "sentinel announce-hostnames yes"
    echo "sentinel announce-ip $ANNOUNCE_HOST"
    echo "sentinel announce-port $ANNOUNCE_PORT"
    echo "sentinel monitor $master $primary_host $primary_port ${QUORUM:-2}"
    echo "sentinel auth-pass $master \"$REDIS_PASSWORD\""
    echo "sentinel down-after-milliseconds $master 5000"
    echo "sentinel failover-timeout $master 60000"
    echo "sentinel parallel-syncs $master 1"
    echo "requirepass \"$REDIS_SENTINEL_PASSWORD\""
    echo "sentinel sentinel-pass \"$REDIS_SENTINEL_PASSWORD\""
  } > "$CONF_OUT"
else
  echo "init: unknown mode $mode (redis or sentinel)" >&2
  exit 2
fi
