#!/usr/bin/env bash
# Runs every test of the project from a clean clone: installs what the tests need, builds the solution with warnings as
# errors, runs all test projects, and ends with one line "N passed, N failed, N skipped" (.ci/run reads it).
# The console shows each step, each test project as it starts and ends, and every failure with its message. The rest
# is in artifacts/test-results/: build.log, dotnet-test.log (this console), the results (.trx), and logs/, one file per
# host a test started (the fault tests' expected warnings and stack traces are there).
set -euo pipefail
cd "$(dirname "$0")/.."

configuration="${CONFIGURATION:-Release}"
results="artifacts/test-results"
started=$(date +%s)
rm -rf "$results"
mkdir -p "$results"

if [ ! -x node_modules/.bin/azurite ] || [ ! -x node_modules/.bin/redocly ]; then
  echo "== Installing the Node.js tools of package.json (npm ci): Azurite, the Azure Storage emulator that the storage and"
  echo "   end-to-end tests run on, and Redocly's CLI, the linter that checks the OpenAPI document"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The dashboard's browser tests drive Debian's chromium through Playwright (no browser download).
if [ ! -x /usr/bin/chromium ]; then
  echo "== Installing Debian's chromium (apt-get install chromium, as root): the dashboard's browser tests drive it"
  sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "chromium is missing and this user can neither install it (not root) nor use sudo: install Debian's chromium, then run again" >&2
      exit 1
    fi
    sudo_cmd="sudo"
  fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi

echo "== Building ($configuration, warnings as errors; the log is $results/build.log)"
if ! dotnet build Functions.sln -c "$configuration" -nologo -v quiet >"$results/build.log" 2>&1; then
  grep -E ': error ' "$results/build.log" | sort -u >&2 || cat "$results/build.log" >&2
  echo "The build failed; the whole log is $results/build.log" >&2
  exit 1
fi

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

projects=$(find tests -name '*.csproj' | wc -l)
echo "== Testing: $projects test projects side by side, a line as each starts and ends (about 12 minutes on 2 idle cores)"
log="$results/dotnet-test.log"
set +e
dotnet test Functions.sln -c "$configuration" --no-build -nologo \
  --results-directory "$results" --logger "trx" --logger "console;verbosity=minimal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one summary per test assembly ("Passed!  - Failed: 0, Passed: 611, Skipped: 0, ..."); CI reads a
# single total.
summary=$(awk '
  function count(name,   text) {
    if (!match($0, name ": +[0-9]+")) return 0
    text = substr($0, RSTART, RLENGTH); sub(/^[^0-9]+/, "", text); return text + 0
  }
  /^(Passed|Failed)! +- Failed: / { passed += count("Passed"); failed += count("Failed"); skipped += count("Skipped") }
  END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }
' "$log")
elapsed=$(( $(date +%s) - started ))
echo
echo "== Done in $((elapsed / 60)) min $((elapsed % 60)) s; results and the hosts' logs are in $results/"
echo "$summary"

if [ "$status" -ne 0 ]; then
  echo "dotnet test exited with $status" >&2
  exit "$status"
fi
if [ "${summary%% *}" -eq 0 ]; then
  echo "no test ran" >&2
  exit 1
fi
