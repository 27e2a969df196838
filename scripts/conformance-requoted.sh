#!/usr/bin/env bash
# Runs shared conformance scenarios whose polling lines cannot work as written, after one
# mechanical fix, and nothing else:
#     wait_until N test "$(probe)" = want || fail ...    (or test -n "$(probe)")
# expands "$(probe)" once, before wait_until starts, so wait_until retries a frozen answer and
# only passes if the state was already reached (real Consul fails these lines the same way). The
# copy made here re-evaluates each such condition on every try (wait_until N eval '...'). No
# assertion, value, timeout or other line is changed; the originals stay in ../shared.
#   usage: scripts/conformance-requoted.sh 06-health-checks 07-script-checks 21-durability 20-cluster
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)/../shared/conformance"
work=$(mktemp -d /tmp/conformance-requoted.XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$src/." "$work/"
python3 - "$work/scenarios" "$@" <<'PY'
import re, sys, pathlib
folder, names = pathlib.Path(sys.argv[1]), sys.argv[2:]
pattern = re.compile(r'^(\s*)(.*?)wait_until (\d+) (test [^|]*?\$\(.*?) (\|\| fail .*)$')
for name in names:
    path = folder / f"{name}.sh"
    out = []
    for line in path.read_text().splitlines(keepends=True):
        m = pattern.match(line.rstrip('\n'))
        if not m:
            out.append(line)
            continue
        indent, prefix, limit, expr, rest = m.groups()
        if prefix.strip():
            out.append(indent + prefix.rstrip().rstrip(';') + '\n')
        # Positional parameters ($1, $2 of the scenario function) mean something else inside
        # wait_until: pin their values first and refer to the copies.
        if re.search(r'\$[1-9]', expr):
            out.append(f"{indent}_wu_a1=${{1-}}; _wu_a2=${{2-}}; _wu_a3=${{3-}}\n")
            expr = re.sub(r'\$([1-9])', r'$_wu_a\1', expr)
        out.append(f"{indent}_wu_expr=$(cat <<'WU'\n{expr}\nWU\n)\n")
        out.append(f'{indent}wait_until {limit} eval "$_wu_expr" {rest}\n')
    path.write_text(''.join(out))
PY
bash "$work/run.sh" "$@"
