#!/usr/bin/env bash
# The script behind action.yml: install license-audit, audit a folder, write SARIF, report the exit code.
#
# Inputs come from the environment, so the action and a local run (or a test) call it the same way:
#   INPUT_PATH        folder to audit (default .)
#   INPUT_FAIL_ON     error | warning | never (default error)
#   INPUT_POLICY      policy file; empty: the folder's .license-audit.yaml if any
#   INPUT_FORMAT      format of the report printed to the log (default text)
#   INPUT_SARIF       where the SARIF goes (default license-audit.sarif)
#   INPUT_INSTALL     pip requirement to install into a fresh virtualenv; empty: use license-audit on PATH
#   GITHUB_OUTPUT     when set, receives exit-code=N and sarif-file=PATH (empty when no SARIF was written)
# The script exits with the audit's code: 0 pass, 1 findings at or above fail-on, 2 the audit could not run.
set -uo pipefail

path="${INPUT_PATH:-.}"
fail_on="${INPUT_FAIL_ON:-error}"
policy="${INPUT_POLICY:-}"
format="${INPUT_FORMAT:-text}"
sarif="${INPUT_SARIF:-license-audit.sarif}"

output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

finish() {
  output exit-code "$1"
  exit "$1"
}

tool=license-audit
if [ -n "${INPUT_INSTALL:-}" ]; then
  venv="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/license-audit-venv"
  # A virtualenv of its own: runner images mark the system Python as externally managed (PEP 668).
  if ! { python3 -m venv "$venv" && "$venv/bin/python" -m pip install -q "$INPUT_INSTALL"; }; then
    echo "license-audit: error: could not install $INPUT_INSTALL" >&2
    output sarif-file ""
    finish 2
  fi
  tool="$venv/bin/license-audit"
fi

args=(--fail-on "$fail_on")
if [ -n "$policy" ]; then
  args+=(--policy "$policy")
fi

mkdir -p "$(dirname "$sarif")"
"$tool" audit "$path" --format sarif --output "$sarif" "${args[@]}"
code=$?
if [ "$code" -gt 1 ] || [ ! -s "$sarif" ]; then
  output sarif-file ""
  finish "$code"
fi

# SARIF locations are relative to the audited folder; code scanning resolves them from the repository
# root, so a model in a subfolder of the work tree gets that folder in front of each location.
python3 - "$sarif" "$path" <<'PY' || finish 2
import json, posixpath, sys
from urllib.parse import quote

sarif, given = sys.argv[1], sys.argv[2].replace("\\", "/")
folder = posixpath.normpath(given)
if posixpath.isabs(folder) or folder == "." or folder.startswith(".."):
    sys.exit(0)
with open(sarif, encoding="utf-8") as f:
    data = json.load(f)
for run in data.get("runs", []):
    for result in run.get("results", []):
        for loc in result.get("locations", []):
            art = loc.get("physicalLocation", {}).get("artifactLocation", {})
            if "uri" in art:
                art["uri"] = quote(folder, safe="/") + "/" + art["uri"]
with open(sarif, "w", encoding="utf-8") as f:
    json.dump(data, f, indent=2, ensure_ascii=False)
    f.write("\n")
PY
output sarif-file "$sarif"

if [ "$format" != "sarif" ]; then
  # The same audit once more in the format a person reads; the exit code is the SARIF run's.
  "$tool" audit "$path" --format "$format" --fail-on never "${args[@]:2}"
fi
finish "$code"
