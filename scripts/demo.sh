#!/usr/bin/env bash
# The main job on one machine: the simulated national portal and provincial system, and the standalone host running
# reconciliation, repair and the API against them, its ledger, state and queues in the embedded store (a SQLite file
# under artifacts/demo/, new for each run because the simulators are seeded anew). DEMO_STORE=azurite runs it on
# Azurite instead (needs Node.js; npm ci installs it). Prints the URL and key to use, then the sync rate every few
# seconds as repairs land. Ctrl+C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

DOSSIERS="${DOSSIERS:-3000}"
SEED="${SEED:-42}"
API_PORT="${API_PORT:-7071}"
PORTAL_RPS="${PORTAL_RPS:-20}"
DEMO_STORE="${DEMO_STORE:-embedded}"
logs="artifacts/demo"
mkdir -p "$logs"
store_file="$PWD/$logs/dvcsync.db"
case "$DEMO_STORE" in embedded|azurite) ;; *) echo "DEMO_STORE must be embedded (the default) or azurite, not '$DEMO_STORE'" >&2; exit 2 ;; esac

# A port nothing listens on: bash alone, so the demo needs no Node.js.
taken_ports=" "
free_port() {
  local port
  while true; do
    port=$((20000 + RANDOM % 40000))
    case "$taken_ports" in *" $port "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then taken_ports+="$port "; echo "$port"; return; fi
  done
}
wait_for_port() {
  local port=$1 name=$2 pid=$3
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "$name stopped; see $logs" >&2; exit 1; fi
    sleep 0.1
  done
  echo "$name did not open port $port; see $logs" >&2; exit 1
}

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
# A deliberate stop (Ctrl+C, or TERM) is not a failure: say so, and exit 0.
stopped_by_user() {
  trap - EXIT INT TERM
  echo; echo "Stopping (you asked)…"
  stop_all
  echo "Stopped. Logs are in $logs/$([ "$DEMO_STORE" = embedded ] && echo "; the store was $store_file")."
  exit 0
}
trap 'trap - EXIT; stop_all' EXIT
trap stopped_by_user INT TERM

if [ "$DEMO_STORE" = azurite ] && [ ! -x node_modules/.bin/azurite ]; then
  echo "== Installing Azurite (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "== Building"
dotnet build src/DvcSync.Standalone -c Release -nologo -v quiet
dotnet build src/DvcSync.Simulators -c Release -nologo -v quiet

portal=$(free_port); provincial=$(free_port)

if [ "$DEMO_STORE" = azurite ]; then
  blob=$(free_port); queue=$(free_port); table=$(free_port)
  echo "== Starting Azurite (in memory)"
  node_modules/.bin/azurite --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --loose \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" > "$logs/azurite.log" 2>&1 &
  pids+=($!); azurite_pid=$!
  wait_for_port "$table" Azurite "$azurite_pid"; wait_for_port "$queue" Azurite "$azurite_pid"
  export AzureWebJobsStorage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
else
  # The simulators start from their seed each run: a ledger from an earlier run would speak of other dossiers.
  rm -f "$store_file" "$store_file-wal" "$store_file-shm"
  unset AzureWebJobsStorage
  export Storage__SqlitePath="$store_file"
fi

echo "== Starting the simulated national portal and provincial system ($DOSSIERS dossiers, seed $SEED)"
dotnet src/DvcSync.Simulators/bin/Release/net10.0/DvcSync.Simulators.dll \
  --portal-port "$portal" --provincial-port "$provincial" --seed "$SEED" --dossiers "$DOSSIERS" \
  --portal-rps "$PORTAL_RPS" > "$logs/simulators.log" 2>&1 &
pids+=($!); sim_pid=$!
wait_for_port "$portal" "Portal simulator" "$sim_pid"; wait_for_port "$provincial" "Provincial simulator" "$sim_pid"

read_key=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
admin_key=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')

echo "== Starting the sync host on http://127.0.0.1:$API_PORT"
NationalPortal__BaseUrl="http://127.0.0.1:$portal" NationalPortal__Username=dvcsync NationalPortal__Password=dvcsync-demo \
NationalPortal__DstCode=H19 NationalPortal__MaDonVi=000.00.00.H19 NationalPortal__MaxRequestsPerSecond="$PORTAL_RPS" \
ProvincialSystem__BaseUrl="http://127.0.0.1:$provincial" ProvincialSystem__ClientId=dvcsync ProvincialSystem__ClientSecret=dvcsync-demo-secret \
Sync__ReconcileSchedule="0 */2 * * * *" Sync__ReconcileOnStartup=true Sync__HistoryFrom=2025-01-01 \
Sync__RetryBaseSeconds=5 Sync__RetryMaxMinutes=2 \
Api__Keys="$read_key" Api__AdminKeys="$admin_key" \
  dotnet src/DvcSync.Standalone/bin/Release/net10.0/DvcSync.Standalone.dll --urls "http://127.0.0.1:$API_PORT" > "$logs/standalone.log" 2>&1 &
pids+=($!); host_pid=$!
wait_for_port "$API_PORT" "Sync host" "$host_pid"

# The indicator's days are Vietnam's (UTC+7, no daylight saving): before 07:00 UTC the UTC date is yesterday there.
year=$(TZ=UTC-7 date +%Y); today=$(TZ=UTC-7 date +%F)
base="http://127.0.0.1:$API_PORT/api"
cat <<BANNER

  Sync host:        $base   (logs in $logs/)
  Store:            $([ "$DEMO_STORE" = embedded ] && echo "embedded, $store_file" || echo "Azurite (in memory)")
  Dashboard:        $base/dashboard   (paste the read key into the page)
  API description:  $base/openapi.json
  Read key:         $read_key
  Admin key:        $admin_key

  Sync rate, this year:
    curl -H "x-functions-key: $read_key" "$base/indicators/sync-rate?from=$year-01-01&to=$today"
  Unsynced dossiers and why:
    curl -H "x-functions-key: $read_key" "$base/dossiers/unsynced?from=$year-01-01&to=$today"
  Pipeline health:
    curl -H "x-functions-key: $read_key" "$base/health"
  A full audit of this year (admin key), then its progress:
    curl -X POST -H "x-functions-key: $admin_key" "$base/audits?from=$year-01-01&to=$today"
    curl -H "x-functions-key: $read_key" "$base/audits/current"

  The first reconciliation checks every dossier since 2025-01-01 against the portal at $PORTAL_RPS calls/s;
  repairs follow it. Watch the rate rise below. Ctrl+C stops everything.

BANNER

# One line of the sync-rate answer, read with grep so the demo needs no JSON tool (the first field of a name is the top level's).
field() { grep -o "\"$1\":[^,}]*" <<<"$2" | head -1 | cut -d: -f2- | tr -d '"'; }
report() {
  local answer
  answer=$(curl -s -H "x-functions-key: $read_key" "$base/indicators/sync-rate?from=$1&to=$2" || true)
  if [ -z "$(field received "$answer")" ]; then
    echo "   ${1}..${2}  $( [ -n "$answer" ] && field detail "$answer" || echo "waiting for the host…")"
    return
  fi
  local rate; rate=$(field rate "$answer")
  [ "$rate" = null ] && rate="—" || rate=$(awk -v r="$rate" 'BEGIN { printf "%.2f%%", 100 * r }')
  printf '   %s..%s  received %5s  synced %5s  rate %7s  points %.2f/%s\n' "$1" "$2" \
    "$(field received "$answer")" "$(field synced "$answer")" "$rate" "$(field points "$answer")" "$(field maxPoints "$answer")"
}

while kill -0 "$host_pid" 2>/dev/null; do
  echo "$(date +%T)  province 000.00.00.H19"
  report 2025-01-01 2025-12-31
  report "$year-01-01" "$today"
  sleep 10 &
  wait $! || true
done
code=0; wait "$host_pid" || code=$?
echo "The sync host stopped on its own (exit code $code); see $logs/standalone.log" >&2
exit 1
