#!/usr/bin/env bash
# Starts or stops a private dockerd (no bridge, no iptables) for tests and CI.
# Usage: dockerd.sh start|stop|wipe|env   State lives in $CONDENSE_DOCKERD_DIR (default /tmp/condense-dockerd).
set -euo pipefail
dir="${CONDENSE_DOCKERD_DIR:-/tmp/condense-dockerd}"
sock="$dir/docker.sock"
pidfile="$dir/dockerd.pid"

is_running() { [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

case "${1:-}" in
  start)
    mkdir -p "$dir/data" "$dir/exec"
    if is_running; then echo "dockerd already running (pid $(cat "$pidfile"))" >&2; exit 0; fi
    command -v dockerd >/dev/null || { echo "dockerd not found: apt-get install docker.io" >&2; exit 1; }
    # BuildKit keeps 10% of the disk by default (25 GB here): the tests' cache stays under 6 GB instead,
    # least recently used first, since the disk is shared with whatever else the machine runs.
    printf '{"builder": {"gc": {"enabled": true, "defaultKeepStorage": "6GB"}}}\n' >"$dir/daemon.json"
    dockerd --config-file "$dir/daemon.json" --bridge=none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
      --data-root "$dir/data" --exec-root "$dir/exec" --pidfile "$pidfile" \
      -H "unix://$sock" >"$dir/dockerd.log" 2>&1 &
    for _ in $(seq 1 60); do
      if DOCKER_HOST="unix://$sock" docker info >/dev/null 2>&1; then
        echo "dockerd ready on unix://$sock" >&2; exit 0
      fi
      sleep 0.5
    done
    echo "dockerd did not answer within 30 s; log:" >&2; tail -20 "$dir/dockerd.log" >&2; exit 1
    ;;
  stop)
    if is_running; then
      pid="$(cat "$pidfile")"; kill "$pid"
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    ;;
  wipe)
    # Removes a stopped engine's data (images, build cache); its mounts go first.
    if is_running; then echo "dockerd is running: stop it first" >&2; exit 1; fi
    if [[ -d "$dir" ]]; then
      { grep -o " $dir/[^ ]*" /proc/mounts || true; } | sort -r | while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
      rm -rf "$dir"
    fi
    ;;
  env) echo "unix://$sock" ;;
  *) echo "usage: $0 start|stop|wipe|env" >&2; exit 2 ;;
esac
