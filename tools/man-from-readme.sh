#!/bin/sh
# man-from-readme.sh — preforkd(8) and preforkd.conf(5) from README.md, at every build, so the man
# pages say what the README says and cannot drift from it (test/unit/check_manpages.c checks that
# every directive the loader knows has its entry in preforkd.conf(5)).
#
#   tools/man-from-readme.sh README.md OUTDIR VERSION CONFIG_FILE MODULE_DIR
#
# preforkd(8): "## Command line" (synopsis and flags) and "## Signals".
# preforkd.conf(5): "## Configuration reference" up to "## Writing a module": the prose, the
# directive table and each module's tables. A table row becomes a .TP entry: the first cell is the
# term, "meaning" the text, the other cells "column: value". Inline code becomes bold, links their
# text; a table of images (the listing screenshots) is left out.
set -eu
[ $# -eq 5 ] || {
    echo "usage: $0 README.md OUTDIR VERSION CONFIG_FILE MODULE_DIR" >&2
    exit 2
}
readme=$1 out=$2 version=$3 config=$4 moddir=$5
mkdir -p "$out"

# The awk program that turns the lines between two headings of README.md into roff.
# from/to: the heading lines (exact) that open and close the part.
md_to_roff() {
    awk -v from="$1" -v to="$2" '
    # Inline markdown → roff: escape backslashes, then `code` → bold, [text](url) → text,
    # **b** → bold, and a line starting with . or '\'' is protected.
    function inline(s,    r, i, c, code, link) {
        gsub(/\\/, "\\e", s)
        gsub(/\\e\|/, "|", s)              # markdown table escape \| is a plain bar
        while (match(s, /!?\[[^]]*\]\([^)]*\)/)) {
            link = substr(s, RSTART, RLENGTH)
            sub(/^!?\[/, "", link); sub(/\]\(.*$/, "", link)
            s = substr(s, 1, RSTART - 1) link substr(s, RSTART + RLENGTH)
        }
        gsub(/\*\*/, "`", s)               # bold, as code is
        r = ""; code = 0
        for (i = 1; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (c == "`") { r = r (code ? "\\fR" : "\\fB"); code = !code; continue }
            if (c == "-" ) { r = r "\\-"; continue }
            r = r c
        }
        if (code) r = r "\\fR"
        if (r ~ /^[.'\'']/) r = "\\&" r
        return r
    }
    # The cells of a table row, split at bars that markdown did not escape.
    function cells(line, arr,    n, i, c, cur, prev) {
        line = substr(line, 2, length(line) - 2)
        n = 0; cur = ""; prev = ""
        for (i = 1; i <= length(line); i++) {
            c = substr(line, i, 1)
            if (c == "|" && prev != "\\") { arr[++n] = trim(cur); cur = ""; prev = c; continue }
            cur = cur c; prev = c
        }
        arr[++n] = trim(cur)
        return n
    }
    function trim(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }
    function flush_para() { if (para != "") { print ".PP"; print inline(para); para = "" } }
    $0 == from { inside = 1; next }
    $0 == to { inside = 0 }
    !inside { next }
    /^\|/ {
        flush_para()
        if (ncols == 0) { ncols = cells($0, head); skip = 0; next }   # the header row
        if ($0 ~ /^\| *---/) next
        if ($0 ~ /!\[/) { skip = 1; next }
        if (skip) next
        n = cells($0, row)
        term = row[1]
        if (term == "") term = row[2] == "" ? row[3] : row[2]       # a location-only option
        print ".TP"
        print inline(term)
        extra = ""; text = ""
        for (i = 2; i <= n; i++) {
            if (head[i] == "meaning" || head[i] == "effect") { text = row[i]; continue }
            if (row[i] == "" || i == 1) continue
            extra = extra (extra == "" ? "" : "; ") head[i] ": " row[i]
        }
        if (extra != "") print inline("(" extra ")")
        print inline(text)
        next
    }
    { ncols = 0 }
    /^#### / { flush_para(); print ".SS " inline(substr($0, 6)); next }
    /^### / { flush_para(); print ".SS " inline(substr($0, 5)); next }
    /^    / { flush_para(); print ".PP"; print ".nf"; print inline(substr($0, 5)); print ".fi"; next }
    /^$/ { flush_para(); next }
    { para = para (para == "" ? "" : " ") $0 }
    END { flush_para() }
    ' "$readme"
}

# printf, not echo: dash's echo would read the \f of roff's font changes as a form feed.
say() { printf '%s\n' "$*"; }

date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(stat -c %Y "$readme")}" +%Y-%m-%d)

{
    say ".\\\" Generated from README.md by tools/man-from-readme.sh: edit the README."
    say ".TH PREFORKD 8 \"$date\" \"preforkd $version\" \"System Administration\""
    say ".SH NAME"
    say "preforkd \\- a prefork HTTP/1.1 server with loadable modules"
    say ".SH DESCRIPTION"
    say "A master process reads the configuration (see \\fBpreforkd.conf\\fR(5)), binds the"
    say "listening sockets and keeps a pool of forked worker processes; each worker serves one"
    say "connection at a time. Request handling lives in modules loaded from \\fI$moddir\\fR."
    say ".SH OPTIONS"
    md_to_roff "## Command line" "## Signals"
    say ".SH SIGNALS"
    md_to_roff "## Signals" "## Configuration reference"
    say ".SH FILES"
    say ".TP"
    say ".I $config"
    say "the installed configuration (the Debian package's binary reads it without \\fB\\-f\\fR)"
    say ".TP"
    say ".I $moddir"
    say "the modules (\\fBpreforkd \\-V\\fR prints the \\fBmodule_dir\\fR used when the configuration sets none)"
    say ".TP"
    say ".I /var/log/preforkd/"
    say "the logs of the packaged configuration, rotated by \\fI/etc/logrotate.d/preforkd\\fR"
    say ".SH SEE ALSO"
    say "\\fBpreforkd.conf\\fR(5), \\fBlogrotate\\fR(8), \\fBsystemctl\\fR(1);"
    say "the full guides in \\fI/usr/share/doc/preforkd/\\fR"
} >"$out/preforkd.8"

{
    say ".\\\" Generated from README.md by tools/man-from-readme.sh: edit the README."
    say ".TH PREFORKD.CONF 5 \"$date\" \"preforkd $version\" \"File Formats\""
    say ".SH NAME"
    say "preforkd.conf \\- preforkd configuration file"
    say ".SH SYNOPSIS"
    say ".I $config"
    say ".SH DESCRIPTION"
    md_to_roff "## Configuration reference" "## Writing a module"
    say ".SH SEE ALSO"
    say "\\fBpreforkd\\fR(8); \\fBpreforkd \\-V\\fR prints the compiled-in defaults"
} >"$out/preforkd.conf.5"
