#!/usr/bin/env bash
# Runs every test of the project from a clean clone: installs what the tests need (Azurite from npm), builds the
# solution with warnings as errors, runs all test projects, and ends with one line "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

configuration="${CONFIGURATION:-Release}"
results="artifacts/test-results"
mkdir -p "$results"

if [ ! -x node_modules/.bin/azurite ]; then
  echo "== Installing Azurite (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The dashboard's browser tests drive Debian's chromium through Playwright (no browser download).
if [ ! -x /usr/bin/chromium ]; then
  echo "== Installing chromium (apt-get)"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

echo "== Building ($configuration)"
dotnet build Functions.sln -c "$configuration" -nologo -v quiet

# dotnet answers "no vulnerable packages" also when its sources publish no advisories (a mirror, a caching proxy):
# "none" means none only if one of the sources it used offers VulnerabilityInfo in its service index.
advisories_reachable() {
  local source
  for source in $(awk '/^The following sources were used:/ { on = 1; next } on && NF == 0 { on = 0 } on { print $1 }' "$1"); do
    case "$source" in http://* | https://*) ;; *) continue ;; esac
    if curl -fsSL --max-time 20 "$source" 2>/dev/null | grep -q 'VulnerabilityInfo/'; then return 0; fi
  done
  return 1
}

echo "== Checking packages for known vulnerabilities"
vulnerable_log="$results/vulnerable-packages.txt"
if ! dotnet list Functions.sln package --vulnerable --include-transitive >"$vulnerable_log" 2>&1; then
  echo "Vulnerability check skipped: the advisory data could not be reached ($(grep -m1 -iE 'error|unable' "$vulnerable_log" | sed 's/^ *//'))"
else
  severe=$(awk '
    /^Project `/ { project = $2 }
    /^ *> / && /[[:space:]](High|Critical)[[:space:]]+https?:\/\// { sub(/^ *> */, ""); print "  " project " " $0 }
  ' "$vulnerable_log")
  if [ -n "$severe" ]; then
    echo "Packages with a High or Critical advisory (package, requested, resolved, severity, advisory):" >&2
    echo "$severe" >&2
    exit 1
  fi
  if ! advisories_reachable "$vulnerable_log"; then
    echo "Vulnerability check skipped: no package source used publishes advisory data (VulnerabilityInfo)"
  fi
fi

echo "== Testing"
log="$results/dotnet-test.log"
set +e
dotnet test Functions.sln -c "$configuration" --no-build -nologo \
  --results-directory "$results" --logger "trx" --logger "console;verbosity=normal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one summary per test assembly; CI reads a single total.
summary=$(awk '
  /^Total tests: [0-9]+/ { inblock = 1; next }
  inblock && /^ +Passed: +[0-9]+ *$/  { passed  += $2; next }
  inblock && /^ +Failed: +[0-9]+ *$/  { failed  += $2; next }
  inblock && /^ +Skipped: +[0-9]+ *$/ { skipped += $2; next }
  inblock && /^ +Total time:/ { inblock = 0 }
  END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }
' "$log")
echo
echo "$summary"

if [ "$status" -ne 0 ]; then
  echo "dotnet test exited with $status" >&2
  exit "$status"
fi
if [ "${summary%% *}" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
