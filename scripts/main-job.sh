#!/usr/bin/env bash
# The main job: set everything up, validate every workflow, dry-run the documented production
# pipelines, then run the local production pipeline end to end on the embedded `local` stack
# tool (confirmation, two-reviewer approval gate with wait timer, backup, deploy, smoke tests,
# traffic shift, monitoring, notification, audit) and verify the audit trail.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
slipway=${SLIPWAY:-./build/slipway}
state=$(mktemp -d /tmp/slipway-main-job.XXXXXX)

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

echo "== run: local production pipeline (state in $state)"
# Notifications go to a webhook receiver on loopback; its URL reaches the run as a secret.
port_file="$state/webhook.port"
python3 examples/webhook_sink.py "$state/notifications.jsonl" 300 >"$port_file" &
sink=$!
trap 'kill $sink 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
export SLIPWAY_SECRET_NOTIFY_WEBHOOK_URL="http://127.0.0.1:$(cat "$port_file")/hook"
$slipway run examples/local-production.yml --env-config examples/environments.yml \
  --event workflow_dispatch --ref refs/heads/main --actor release-bot \
  --input confirmation='DEPLOY TO PRODUCTION' --input version=1.2.0 --input reason='main job' \
  --approve production --as alice --approve production --as bob --state-dir "$state"

# The deployed app is live on 127.0.0.1:18080 until here; stop it so the demo leaves nothing.
kill "$(cat "$state/stacks/example-app/app.pid")" 2>/dev/null || true

echo "== notification received by the webhook"
cat "$state/notifications.jsonl"

echo "== audit verify"
$slipway audit verify --state-dir "$state"
