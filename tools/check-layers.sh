#!/bin/bash
# check-layers.sh — checks the map of server/ (docs/design.md) against the code and the build:
#
#   tools/check-layers.sh [BUILD_DIR]    (a configured and built tree; default: build)
#
#  1. includes: a file in server/<layer>/ includes only headers of its own layer or of the layers
#     before it, folder-qualified ("parse/uri.h"), or preforkd/module.h; module.h includes no
#     core header; modules include no core header but module.h.
#  2. calls: the file graph from the objects of the build (each undefined symbol of an object
#     points at the object that defines it) has no edge up the order and no cycle.
#  3. headers: a server/<layer>/x.h declares only functions defined in x.c.
#  4. exports: the binary exports exactly the functions preforkd/module.h marks PFD_API, every
#     function declared there is marked, and each module exports only pfd_module_<name>.
#
# The layers, in order; each may use only itself and the ones before it.
set -euo pipefail
LAYERS=(parse base config pool serve process)

cd "$(dirname "$0")/.."
build=${1:-build} # the README's build folder unless told otherwise
build=$(cd "$build" && pwd) || exit 2
objdir=$build/server/CMakeFiles
[ -d "$objdir/pfdcore.dir" ] || {
    echo "check-layers: no objects in $objdir/pfdcore.dir: build first" >&2
    exit 2
}

failures=0
fail() {
    echo "check-layers: $*" >&2
    failures=$((failures + 1))
}

# rank LAYER: its position in LAYERS, or -1 when it is none of them.
rank() {
    local i
    for i in "${!LAYERS[@]}"; do
        [ "${LAYERS[$i]}" = "$1" ] && {
            echo "$i"
            return
        }
    done
    echo -1
}

# declarations FILE: "NAME MARK" for each function (and extern variable) a header declares at
# file scope, MARK being PFD_API or "-". Comments, preprocessor lines and braced bodies (structs,
# enums, inline functions) are dropped first, so a declaration may span lines.
declarations() {
    perl -0777 -ne '
        s{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g; s{^[ \t]*#(?:[^\n]*\\\n)*[^\n]*}{}mg;
        1 while s/\{[^{}]*\}/ /gs;
        for my $d (split /;/) {
            $d =~ s/\s+/ /g; $d =~ s/^ //;
            next if $d =~ /^(typedef|static)\b/ or $d eq "";
            my $mark = $d =~ /^PFD_API\b/ ? "PFD_API" : "-";
            if ($d =~ /^([^(]*?)\b([A-Za-z_]\w*) ?\(/ && $1 !~ /\(/) { print "$2 $mark\n" }
            elsif ($d =~ /^extern\b.*?\b([A-Za-z_]\w*)(?: ?\[[^]]*\])? ?$/) { print "$1 $mark\n" }
        }' "$1"
}

# ---- 1. includes ----------------------------------------------------------------------------

for f in server/*.c server/*.h; do
    [ -e "$f" ] && fail "$f: in no layer (server/<layer>/, layers: ${LAYERS[*]})"
done

for layer in "${LAYERS[@]}"; do
    own=$(rank "$layer")
    for f in server/"$layer"/*.[ch]; do
        [ -e "$f" ] || continue
        while IFS=: read -r line inc; do
            inc=${inc#*\"}
            inc=${inc%%\"*}
            [ "$inc" = preforkd/module.h ] && continue
            case $inc in
            */*) ;;
            *)
                fail "$f:$line: #include \"$inc\" is not folder-qualified (\"<layer>/$inc\")"
                continue
                ;;
            esac
            to=$(rank "${inc%%/*}")
            if [ "$to" -lt 0 ]; then
                fail "$f:$line: #include \"$inc\": ${inc%%/*} is not a layer"
            elif [ "$to" -gt "$own" ]; then
                fail "$f:$line: #include \"$inc\" goes up: $layer may not use ${inc%%/*}"
            elif [ ! -e "server/$inc" ]; then
                fail "$f:$line: #include \"$inc\": no such header"
            fi
        done < <(grep -n '^#include "' "$f" || true)
    done
done

if grep -n '^#include "' server/include/preforkd/module.h; then
    fail "server/include/preforkd/module.h includes a core header (above); it may include only system headers"
fi
while IFS= read -r hit; do
    fail "$hit: a module includes only preforkd/module.h of the core"
done < <(grep -rn '^#include "[a-z_]*/' modules --include='*.[ch]' | grep -v '"preforkd/module.h"' || true)

# ---- 2. calls -------------------------------------------------------------------------------

# The objects of the core and of main(), named by their source (serve/conn); an object whose
# source is gone (a file moved or deleted since the last build) is left out.
declare -A object_of
for o in "$objdir"/pfdcore.dir/*/*.c.o "$objdir"/preforkd.dir/*/*.c.o; do
    [ -e "$o" ] || continue
    name=${o#"$objdir"/*.dir/}
    name=${name%.c.o}
    [ -e "server/$name.c" ] && object_of[$name]=$o
done
[ "${#object_of[@]}" -gt 0 ] || {
    echo "check-layers: no core objects found under $objdir" >&2
    exit 2
}

# symbols: "FILE SYMBOL D" for each global definition, "FILE SYMBOL U" for each reference.
symbols=$(mktemp)
trap 'rm -f "$symbols"' EXIT
for name in "${!object_of[@]}"; do
    nm -P "${object_of[$name]}" | awk -v f="$name" '
        $2 == "U" { print f, $1, "U"; next }
        $2 ~ /^[A-TV-Z]$/ { print f, $1, "D" }'
done >"$symbols"

# edges: "FROM TO SYMBOL" for each reference resolved by another of the objects.
edges=$(awk '$3 == "D" { def[$2] = $1; next }
             { ref[++n] = $1 " " $2 }
             END { for (i = 1; i <= n; i++) {
                       split(ref[i], r, " ")
                       if ((r[2] in def) && def[r[2]] != r[1]) print r[1], def[r[2]], r[2]
                   } }' "$symbols" "$symbols" | sort -u)

while read -r from to sym; do
    [ -n "$from" ] || continue
    a=$(rank "${from%%/*}")
    b=$(rank "${to%%/*}")
    if [ "$b" -gt "$a" ]; then
        fail "server/$from.c calls $sym of server/$to.c: ${from%%/*} may not use ${to%%/*}"
    fi
done <<<"$edges"

# A cycle among files: tsort names the files on it.
if loop=$( (
    awk '{ print $1, $2 }' <<<"$edges"
    for name in "${!object_of[@]}"; do echo "$name $name"; done
) | tsort 2>&1 >/dev/null); [ -n "$loop" ]; then
    fail "files call each other in a cycle:"$'\n'"$(sed 's/^tsort: //' <<<"$loop")"
fi

# ---- 3. one header per file -----------------------------------------------------------------

for layer in "${LAYERS[@]}"; do
    for h in server/"$layer"/*.h; do
        [ -e "$h" ] || continue
        name=${h#server/}
        name=${name%.h}
        declared=$(declarations "$h" | awk '{ print $1 }' | sort -u)
        for fn in $declared; do
            grep -q "^$name $fn D\$" "$symbols" && continue
            where=$(awk -v s="$fn" '$2 == s && $3 == "D" { print "server/" $1 ".c" }' "$symbols")
            fail "$h declares $fn, defined ${where:+in $where, }not in server/$name.c"
        done
    done
done

# ---- 4. exports -----------------------------------------------------------------------------

module_h=server/include/preforkd/module.h
# Every function module.h declares is marked PFD_API.
while read -r fn mark; do
    [ "$mark" = PFD_API ] || fail "$module_h: $fn is declared without PFD_API"
done < <(declarations "$module_h")
api=$(declarations "$module_h" | awk '{ print $1 }' | sort -u)

binary=$build/server/preforkd
if [ -x "$binary" ]; then
    # What the binary exports of what our objects define (the C library's and the sanitizers'
    # own symbols are theirs).
    exported=$(nm -D --defined-only "$binary" | awk '{ print $3 }' | sed 's/@.*//' | sort -u |
        join - <(awk '$3 == "D" { print $2 }' "$symbols" | sort -u))
    extra=$(comm -13 <(echo "$api") <(echo "$exported"))
    missing=$(comm -23 <(echo "$api") <(echo "$exported"))
    [ -z "$extra" ] || fail "$binary exports what module.h does not declare:"$'\n'"$extra"
    [ -z "$missing" ] || fail "$binary does not export these module.h functions (is module.h" \
        "included where they are defined?):"$'\n'"$missing"
else
    fail "$binary: not built"
fi

for so in "$build"/modules/mod_*.so; do
    [ -e "$so" ] || continue
    name=$(basename "$so" .so)
    want=pfd_module_${name#mod_}
    # Names starting with '_' belong to the toolchain (_init, the sanitizers' __asan_*).
    got=$(nm -D --defined-only "$so" | awk '{ print $3 }' | sed 's/@.*//' | grep -v '^_' | sort -u)
    [ "$got" = "$want" ] || fail "$so exports $(echo "$got" | tr '\n' ' ')(only $want)"
done

if [ "$failures" -gt 0 ]; then
    echo "check-layers: $failures problem(s); the layers: ${LAYERS[*]} (docs/design.md)" >&2
    exit 1
fi
echo "check-layers: ${#object_of[@]} files in ${#LAYERS[@]} layers, no call up, no cycle;" \
    "$(echo "$api" | wc -l) functions exported"
