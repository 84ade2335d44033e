#!/usr/bin/env bash
# npm run containers:down — undoes what scripts/containers-up.sh started, as recorded in .containers/state.env:
# removes the containers the suites of this checkout left behind (found by their label), then stops the Podman
# service by its PID. Images stay, so the next set-up is fast; an engine that was found rather than started is left
# running. Safe to run twice, or with nothing started.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${CONTAINERS_WORK_DIR:-$ROOT/.containers}
STATE=$WORK/state.env
say() { echo "containers-down: $*"; }

[ -f "$STATE" ] || { say "nothing to stop (no $STATE)"; exit 0; }
value() { sed -n "s/^$1=//p" "$STATE"; }
docker_host=$(value DOCKER_HOST) pid=$(value SERVICE_PID) socket=$(value SOCKET)

if [ -n "$docker_host" ] && DOCKER_HOST=$docker_host node "$ROOT/scripts/docker-api.mjs" ping; then
  # The label test/containers/ puts on every container it starts (see test/containers/support/containers.ts).
  removed=$(DOCKER_HOST=$docker_host node "$ROOT/scripts/docker-api.mjs" remove-labelled "voice-assistant.tests=$ROOT") \
    || removed="(could not list: see above)"
  say "removed $removed leftover test container(s)"
fi

if [ -n "$pid" ]; then
  if [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "system service .*unix://$socket"; then
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; say "podman service (pid $pid) killed after 10 s"
    else say "podman service (pid $pid) stopped"; fi
  else
    say "podman service (pid $pid) was no longer running"
  fi
  rm -f "$socket"
fi
rm -f "$STATE"
