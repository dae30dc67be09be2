#!/usr/bin/env bash
# The main job (README's first command): build slipway, validate every workflow, dry-run the
# documented production pipelines, rehearse them with `slipway test`, then run the local
# production pipeline for real: examples/app/server.py deployed blue/green behind a real
# HAProxy, smoke tests, traffic shifted 10 -> 50 -> 100 %, monitoring, a webhook notification;
# then a broken release that fails its checks and is rolled back automatically; and finally
# where the records are, and `audit verify`.
#
# Environment: SLIPWAY=path skips the build and uses that binary; DEMO_STATE_DIR=dir keeps the
# state there; DEMO_FAST=1 shortens bakes and monitoring (the test suite's tests/e2e/demo_test.cc);
# DEMO_PORT=N serves on N (HAProxy) and N+1, N+2 (blue, green) instead of 18080-18082.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SLIPWAY:-}" ]; then
  bash scripts/build.sh
  slipway=./build/slipway
else
  slipway=$SLIPWAY
fi
state=${DEMO_STATE_DIR:-$(mktemp -d /tmp/slipway-main-job.XXXXXX)}
mkdir -p "$state"
port=${DEMO_PORT:-18080}
stack="$state/stacks/example-app"

echo "== validate workflows/ and examples/"
$slipway validate workflows/ examples/local-production.yml

echo "== plan: Bayon Coagent production release, tag push v1.2.0"
$slipway plan workflows/bayon-coagent-production.yml --event push --ref refs/tags/v1.2.0 \
  --sha 0123456789abcdef0123456789abcdef01234567 --actor release-bot

echo "== plan: a wrong confirmation is refused before anything starts (exit 2 expected)"
if $slipway plan workflows/avesa-production.yml --event workflow_dispatch --ref refs/heads/main \
    --actor release-bot --input deployment_confirmation='deploy to prod' >/dev/null; then
  echo "error: a wrong confirmation was accepted" >&2
  exit 1
fi

# ---- REHEARSALS (helper "rehearse"): every documented pipeline, path by path, on virtual time.
echo "== rehearse: slipway test workflows/"
if $slipway --help 2>/dev/null | grep -qE '^ +test +'; then
  $slipway test workflows/
else
  echo "(skipped: this slipway has no \`slipway test\` yet)"
fi
# ---- END REHEARSALS

# Everything below runs for real on this machine; stop what it started, whatever happens.
port_file="$state/webhook.port"
sink=""
cleanup() {
  for pid_file in "$stack/haproxy.pid" "$stack/blue.pid" "$stack/green.pid"; do
    [ -s "$pid_file" ] && kill -TERM -- "-$(cat "$pid_file")" 2>/dev/null || true
  done
  [ -n "$sink" ] && kill "$sink" 2>/dev/null || true
}
trap cleanup EXIT

# Notifications go to a webhook receiver on loopback; its URL reaches the run as a secret.
python3 examples/webhook_sink.py "$state/notifications.jsonl" 600 >"$port_file" &
sink=$!
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
secrets="$state/secrets.env"
(umask 077 && echo "NOTIFY_WEBHOOK_URL=http://127.0.0.1:$(cat "$port_file")/hook" >"$secrets")

vars=(--var "APP_PORT=$port")
if [ -n "${DEMO_FAST:-}" ]; then
  vars+=(--var BAKE_TIME=300ms --var MONITOR_DURATION=1s --var MONITOR_INTERVAL=500ms)
fi
# One run of the production pipeline: VERSION, then extra --input flags.
deploy() {
  local version=$1
  shift
  $slipway run examples/local-production.yml --env-config examples/environments.yml \
    --event workflow_dispatch --ref refs/heads/main --actor release-bot "${vars[@]}" \
    --input confirmation='DEPLOY TO PRODUCTION' --input version="$version" \
    --input reason="main job: $version" "$@" \
    --approve production --as alice --approve production --as bob \
    --secrets-file "$secrets" --state-dir "$state"
}
serving() { python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "http://127.0.0.1:$port/version"; }

echo "== run 1: deploy 1.0.0 (the first version takes all traffic)"
deploy 1.0.0
echo "serving: $(serving)"

echo "== run 2: deploy 1.1.0 beside 1.0.0 (blue/green), traffic 10 -> 50 -> 100 % through HAProxy"
deploy 1.1.0
echo "serving: $(serving)"

echo "== run 3: deploy a broken 1.2.0 (FAIL_HEALTH): its checks fail, the run rolls it back"
touch "$state/broken"
if deploy 1.2.0 --input fail_health="$state/broken"; then
  echo "error: the broken release was not stopped" >&2
  exit 1
fi
echo "serving after the rollback: $(serving)"

echo "== notifications received by the webhook"
cat "$state/notifications.jsonl"

echo "== records"
echo "run records: $state/runs/ (each run.json, step logs and artifacts)"
echo "stack versions: $stack/ (history.jsonl: $(wc -l <"$stack/history.jsonl") events)"
echo "audit log: $state/audit.jsonl"

echo "== audit verify"
$slipway audit verify --state-dir "$state"
