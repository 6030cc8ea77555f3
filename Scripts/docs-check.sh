#!/usr/bin/env bash
# Docs check: every public library product of the package has a DocC catalog (Sources/<Module>/Docs.docc/<Module>.md),
# and every catalog builds against its module's symbol graph without a single warning (unresolved links, missing
# symbols, bad Topics).
#
# It reuses .build: the modules are built with the same flags as `swift build` (a no-op after CI's build step), and
# the symbol graphs are extracted from the built modules with swift-symbolgraph-extract, using the search paths the
# build itself used (read from .build/debug.yaml), so nothing is compiled twice. Only the library modules and their
# dependencies are built, so an unrelated target that does not compile does not stop the check.
#
# Usage: Scripts/docs-check.sh [Module …]      (all public library modules by default)
# Environment: DOCC (default: docc next to swift), SWIFT (default: swift), DOCS_CHECK_OUTPUT (keep the archives there).
set -euo pipefail
cd "$(dirname "$0")/.."

SWIFT="${SWIFT:-swift}"
SWIFT_BIN_DIR="$(dirname "$(command -v "$SWIFT")")"
DOCC="${DOCC:-$SWIFT_BIN_DIR/docc}"
[ -x "$DOCC" ] || DOCC="$(command -v docc || true)"
SYMBOLGRAPH_EXTRACT="$SWIFT_BIN_DIR/swift-symbolgraph-extract"
[ -x "$SYMBOLGRAPH_EXTRACT" ] || SYMBOLGRAPH_EXTRACT="$(command -v swift-symbolgraph-extract || true)"
[ -n "$DOCC" ] || { echo "docs-check: docc not found (set DOCC)"; exit 1; }
[ -n "$SYMBOLGRAPH_EXTRACT" ] || { echo "docs-check: swift-symbolgraph-extract not found"; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
started=$(date +%s)

# The public library modules, and the few of them no other one depends on (building those builds all).
"$SWIFT" package dump-package >"$WORK/package.json"
python3 - "$WORK/package.json" "$@" >"$WORK/plan" <<'EOF'
import json, sys
package = json.load(open(sys.argv[1]))
libraries = []
for product in package["products"]:
    if "library" in product["type"]:
        libraries += [t for t in product["targets"] if t not in libraries]
wanted = sys.argv[2:] or libraries
unknown = [m for m in wanted if m not in libraries]
if unknown:
    sys.exit(f"docs-check: not a public library module: {', '.join(unknown)}")
depends = {t["name"]: {d["byName"][0] for d in t["dependencies"] if "byName" in d} |
                      {d["target"][0] for d in t["dependencies"] if "target" in d}
           for t in package["targets"]}
def closure(name, seen=None):
    seen = set() if seen is None else seen
    for d in depends.get(name, ()):
        if d not in seen:
            seen.add(d)
            closure(d, seen)
    return seen
covered = set().union(*(closure(m) for m in wanted)) if wanted else set()
roots = [m for m in wanted if m not in covered]
print("modules " + " ".join(wanted))
print("roots " + " ".join(roots))
# Catalogs are converted in dependency order, each with its library dependencies' archives, so that absolute links to
# another module's symbols (``/CDRTransport/TransportError``, with the leading slash) resolve. A module's level is one
# more than its deepest library dependency's; modules of one level are converted side by side.
level = {}
def level_of(name):
    if name not in level:
        level[name] = 1 + max((level_of(d) for d in closure(name) if d in libraries), default=-1)
    return level[name]
needed = set(wanted) | {d for m in wanted for d in closure(m) if d in libraries}
for module in sorted(needed, key=lambda m: (level_of(m), libraries.index(m))):
    deps = sorted(d for d in closure(module) if d in libraries)
    print(f"convert {level_of(module)} {module} {'yes' if module in wanted else 'no'} {' '.join(deps)}".rstrip())
EOF
read -r -a MODULES <<<"$(sed -n 's/^modules //p' "$WORK/plan")"
read -r -a ROOTS <<<"$(sed -n 's/^roots //p' "$WORK/plan")"
read -r -a NEEDED <<<"$(awk '/^convert /{printf "%s ", $3}' "$WORK/plan")"

# 1. Every public module has a catalog whose landing page has an overview and a Topics section.
missing=0
for module in "${MODULES[@]}"; do
    page="Sources/$module/Docs.docc/$module.md"
    if [ ! -f "$page" ]; then
        echo "docs-check: $module has no catalog ($page)"
        missing=1
        continue
    fi
    for section in "## Overview" "## Topics"; do
        if ! grep -qx "$section" "$page"; then
            echo "docs-check: $page has no '$section' section"
            missing=1
        fi
    done
done
[ "$missing" = 0 ] || exit 1

# 2. Build the modules (incremental; a no-op when .build is warm).
for root in "${ROOTS[@]}"; do
    if ! "$SWIFT" build --target "$root" >"$WORK/build-$root.log" 2>&1; then
        cat "$WORK/build-$root.log"
        echo "docs-check: swift build --target $root failed"
        exit 1
    fi
done

# 3. Symbol graphs, one folder per module, extracted from the built modules with the search paths the build used for
#    each (read from the build manifest), two at a time.
BUILD_MANIFEST=".build/debug.yaml"
[ -f "$BUILD_MANIFEST" ] || { echo "docs-check: $BUILD_MANIFEST is missing after the build"; exit 1; }
python3 - "$BUILD_MANIFEST" "$WORK" "${NEEDED[@]}" <<'EOF'
import json, sys
manifest, work, modules = sys.argv[1], sys.argv[2], sys.argv[3:]
lines = open(manifest).read().split("\n")
commands = {}
for index, line in enumerate(lines):
    for module in modules:
        if line.startswith(f'  "C.{module}-') and line.endswith('-debug.module":'):
            for following in lines[index + 1:index + 12]:
                if following.strip().startswith("args: "):
                    commands[module] = json.loads(following.strip()[len("args: "):])
                    break
for module in modules:
    if module not in commands:
        sys.exit(f"docs-check: no compile command for {module} in {manifest}")
    args, keep, index = commands[module], [], 0
    while index < len(args):
        if args[index] in ("-I", "-F", "-Isystem", "-Fsystem", "-target", "-sdk", "-resource-dir", "-module-cache-path", "-Xcc"):
            keep += args[index:index + 2]
            index += 2
        else:
            index += 1
    with open(f"{work}/args-{module}", "w") as file:
        file.write("\n".join(keep) + "\n")
EOF
extract_one() {
    local module="$1"
    local flags=()
    mapfile -t flags <"$WORK/args-$module"
    mkdir -p "$WORK/symbol-graphs/$module"
    if ! "$SYMBOLGRAPH_EXTRACT" -module-name "$module" "${flags[@]}" -minimum-access-level public \
        -skip-inherited-docs -emit-extension-block-symbols -output-dir "$WORK/symbol-graphs/$module" \
        >"$WORK/extract-$module.log" 2>&1; then
        cat "$WORK/extract-$module.log"
        echo "docs-check: symbol graph extraction failed for $module"
        return 1
    fi
}
export -f extract_one
export SYMBOLGRAPH_EXTRACT WORK
printf '%s\n' "${NEEDED[@]}" | xargs -P 2 -L 1 bash -c 'extract_one "$1"' _ || exit 1

# 4. Each catalog with its module's symbol graph and its dependencies' archives; any warning fails. The modules of one
#    dependency level are converted two at a time (the machine has two cores).
OUTPUT="${DOCS_CHECK_OUTPUT:-$WORK/archives}"
mkdir -p "$OUTPUT"
export DOCC OUTPUT
convert_one() {
    local module="$1" checked="$2"
    shift 2
    local dependencies=()
    for dependency in "$@"; do dependencies+=(--dependency "$OUTPUT/$dependency.doccarchive"); done
    if "$DOCC" convert "Sources/$module/Docs.docc" \
        --additional-symbol-graph-dir "$WORK/symbol-graphs/$module" \
        --fallback-display-name "$module" --fallback-bundle-identifier "org.cdrkit.$module" \
        --output-path "$OUTPUT/$module.doccarchive" --no-transform-for-static-hosting \
        --enable-experimental-external-link-support "${dependencies[@]}" \
        --warnings-as-errors >"$WORK/docc-$module.log" 2>&1 \
        && ! grep -qE "(^| )(warning|error):" "$WORK/docc-$module.log"; then
        [ "$checked" = no ] || echo "  ok  $module"
    else
        if [ "$checked" = yes ]; then
            echo "FAIL  $module"
            sed "s/^/      /" "$WORK/docc-$module.log"
        fi
        # Still write the archive, without failing on warnings, so the modules that depend on this one are checked.
        "$DOCC" convert "Sources/$module/Docs.docc" \
            --additional-symbol-graph-dir "$WORK/symbol-graphs/$module" \
            --fallback-display-name "$module" --fallback-bundle-identifier "org.cdrkit.$module" \
            --output-path "$OUTPUT/$module.doccarchive" --no-transform-for-static-hosting \
            --enable-experimental-external-link-support "${dependencies[@]}" >/dev/null 2>&1 || true
        [ "$checked" = no ] || return 1
    fi
}
export -f convert_one
failed=0
for level in $(awk '/^convert /{print $2}' "$WORK/plan" | sort -un); do
    awk -v level="$level" '$1 == "convert" && $2 == level { $1 = ""; $2 = ""; sub(/^  /, ""); print }' "$WORK/plan" \
        | xargs -P 2 -L 1 bash -c 'convert_one "$@"' _ || failed=1
done
[ "$failed" = 0 ] || { echo "docs-check: a catalog has warnings or errors (above)"; exit 1; }

echo "docs-check: ${#MODULES[@]} catalogs build without warnings ($(($(date +%s) - started)) s)"
