#!/usr/bin/env bash
# Creates the API's keys after a deployment (docs/operations.md, "API keys"): a key named "operator" on each write
# function, each with its own value, and one "dashboard" value set on every read function. Each key opens only the
# functions it is set on. Nobody needs the master key or a host key: a host key opens every function, writes included.
#
#   bash infra/set-function-keys.sh [resource-group function-app]    # default: the current azd environment's
#
# A key that exists is kept, so running it again changes nothing; ROTATE=1 gives every key a new value.
set -euo pipefail

RG="${1:-$(azd env get-value AZURE_RESOURCE_GROUP)}"
APP="${2:-$(azd env get-value AZURE_FUNCTION_APP_NAME)}"
READ_FUNCTIONS=(Health SyncRate Scorecard UnsyncedDossiers CurrentAudit)
WRITE_FUNCTIONS=(Resync RequestAudit CancelAudit)

new_value() { openssl rand -base64 64 | tr -dc 'A-Za-z0-9' | cut -c1-48; }
current() { az functionapp function keys list -g "$RG" -n "$APP" --function-name "$1" --query "$2" -o tsv 2>/dev/null || true; }
set_key() { az functionapp function keys set -g "$RG" -n "$APP" --function-name "$1" --key-name "$2" --key-value "$3" -o none; }

dashboard="$(current "${READ_FUNCTIONS[0]}" dashboard)"
if [[ -z "$dashboard" || "${ROTATE:-0}" == 1 ]]; then dashboard="$(new_value)"; fi
for function in "${READ_FUNCTIONS[@]}"; do set_key "$function" dashboard "$dashboard"; done
echo "read key 'dashboard' (${READ_FUNCTIONS[*]}): $dashboard"

for function in "${WRITE_FUNCTIONS[@]}"; do
  value="$(current "$function" operator)"
  if [[ -z "$value" || "${ROTATE:-0}" == 1 ]]; then
    value="$(new_value)"
    set_key "$function" operator "$value"
  fi
  echo "write key 'operator' ($function only): $value"
done
