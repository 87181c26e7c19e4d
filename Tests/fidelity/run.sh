#!/usr/bin/env bash
# Fidelity run: real PyPI clients (simple-salesforce, hubspot-api-client, PowerPlatform-Dataverse-Client)
# against the emulators, then schemathesis against the in-repo description of the HubSpot CRM operations
# the emulator serves (hubspot-openapi/crm.yaml). Reads nothing outside the repository.
# Environment: VENV (default .build/fidelity-venv), EMULATOR_BIN (default: the crm-emulate test executable;
# set it to the concord binary to use `concord emulate` instead).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${VENV:-$root/.build/fidelity-venv}"

if [ -z "${EMULATOR_BIN:-}" ]; then
  (cd "$root" && swift build --product crm-emulate)
  export EMULATOR_BIN="$root/.build/debug/crm-emulate"
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q simple-salesforce hubspot-api-client PowerPlatform-Dataverse-Client pytest schemathesis

cd "$here"
"$venv/bin/python" -m pytest -q "$here"

# Schema conformance of the HubSpot emulator.
out="$(mktemp)"
if [[ "$EMULATOR_BIN" == *crm-emulate ]]; then cmd=("$EMULATOR_BIN"); else cmd=("$EMULATOR_BIN" emulate); fi
"${cmd[@]}" --crm hubspot --port 0 --records 20 --faults ratelimits=off > "$out" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
# Wait for the ready line (the bound only catches a hang), or the emulator's exit.
for _ in $(seq 1 6000); do
  [ "$(wc -l < "$out")" -ge 1 ] && break
  kill -0 "$pid" 2>/dev/null || { echo "the emulator exited before printing its ready line" >&2; exit 1; }
  sleep 0.1
done
base="$("$venv/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["emulators"]["hubspot"]["base_url"])' "$out")"
token="$("$venv/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["emulators"]["hubspot"]["token"])' "$out")"
SCHEMATHESIS="$venv/bin/schemathesis" "$here/schemathesis.sh" "$base" "$token"
