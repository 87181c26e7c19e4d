#!/usr/bin/env bash
# Schema conformance of the HubSpot emulator against the in-repo description of the HubSpot CRM
# operations it serves (hubspot-openapi/crm.yaml, written from HubSpot's public documentation).
# Usage: schemathesis.sh BASE_URL TOKEN
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
base="$1"; token="$2"
spec="$here/hubspot-openapi/crm.yaml"
st="${SCHEMATHESIS:-schemathesis}"
checks="not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
"$st" run "$spec" --url "$base" -H "Authorization: Bearer $token" -c "$checks" \
  -n "${EXAMPLES:-15}" --phases examples,fuzzing --seed 1
