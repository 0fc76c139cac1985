#!/usr/bin/env bash
#
# debian-fetch.sh: download (and optionally unpack) Debian packages from a
# suite the machine does not use, without touching the machine's apt setup.
#
# Usage: scripts/debian-fetch.sh [OPTIONS] PKG[=VER]...
#
#   --suite SUITE   Debian suite to fetch from (default: trixie-backports)
#   --also-suite S  also use suite S (repeatable), e.g. trixie next to
#                   trixie-backports; SUITE stays the preferred release
#   --arch ARCH     fetch packages of architecture ARCH (default: the
#                   machine's), e.g. arm64 for a cross sysroot
#   --deps          add the dependency closure (Depends and Pre-Depends,
#                   no Recommends) of the packages, as apt resolves it on
#                   an empty system
#   --extract       unpack each package with dpkg-deb -x and print the
#                   extract directory on stdout, one per line
#   --refresh       refresh the private apt lists even if they are fresh
#
# Files:
#   ${VSMMU_CACHE:-$HOME/.cache/vsmmu}/debs/           downloaded .deb files
#   ${VSMMU_CACHE}/extract/<pkg>_<version>[_<arch>]/  unpacked packages
#                                   (the _<arch> suffix only with --arch)
#   ${VSMMU_CACHE}/apt/<suite>[+<also>...][@<arch>]/  private apt state
#
# The archive URI is taken from the machine's own apt sources (the entry
# serving bookworm main); no host name is built in.  The apt lists are
# refreshed at most once a day.  When every requested package is already
# in the cache, nothing touches the network.
#
# Exit status: 0 on success, 1 on error, 77 (with "SKIP: reason" on stderr)
# when the environment cannot do this (not Debian, no apt-get, no dpkg-deb,
# archive unreachable).
#
# SPDX-License-Identifier: GPL-2.0-or-later

set -euo pipefail

prog=${0##*/}
log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { log "error: $*"; exit 1; }
skip() { printf 'SKIP: %s: %s\n' "$prog" "$*" >&2; exit 77; }

usage() {
    sed -n 's/^# \{0,1\}//; 3,20p' "$0" >&2
    exit "${1:-1}"
}

suite=trixie-backports
also=()
farch=
deps=0
extract=0
refresh=0
pkgs=()
while [ $# -gt 0 ]; do
    case $1 in
    --suite) [ $# -ge 2 ] || usage; suite=$2; shift 2 ;;
    --suite=*) suite=${1#--suite=}; shift ;;
    --also-suite) [ $# -ge 2 ] || usage; also+=("$2"); shift 2 ;;
    --arch) [ $# -ge 2 ] || usage; farch=$2; shift 2 ;;
    --deps) deps=1; shift ;;
    --extract) extract=1; shift ;;
    --refresh) refresh=1; shift ;;
    -h|--help) usage 0 ;;
    --) shift; pkgs+=("$@"); break ;;
    -*) log "unknown option '$1'"; usage ;;
    *) pkgs+=("$1"); shift ;;
    esac
done
[ ${#pkgs[@]} -gt 0 ] || usage

cache=${VSMMU_CACHE:-$HOME/.cache/vsmmu}
debdir=$cache/debs
extdir=$cache/extract
aptdir=$cache/apt/$suite
for s in ${also[@]+"${also[@]}"}; do aptdir=$aptdir+$s; done
[ -z "$farch" ] || aptdir=$aptdir@$farch
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

[ -r /etc/debian_version ] || skip "not a Debian system (no /etc/debian_version)"
command -v dpkg-deb >/dev/null || skip "dpkg-deb not found"
command -v apt-get >/dev/null || skip "apt-get not found"
[ -r "$keyring" ] || skip "Debian archive keyring $keyring missing (package debian-archive-keyring)"

mkdir -p "$debdir" "$extdir" "$aptdir"
# One fetcher at a time: apt's state and the extract directories are shared.
if command -v flock >/dev/null; then
    exec 8>"$cache/debian-fetch.lock"
    flock 8
fi
arch=$(dpkg --print-architecture)
# Extract directories of foreign packages carry the architecture, so that
# e.g. libglib2.0-0 for amd64 and for arm64 can coexist.
esuffix=
if [ -n "$farch" ] && [ "$farch" != "$arch" ]; then
    arch=$farch
    esuffix=_$farch
fi

# Cached lookup: a pinned PKG=VER whose .deb is already present needs no
# apt at all.  Debian file names encode the epoch's colon as %3a.
deb_for() {
    local name=$1 ver=$2 f
    for f in "$debdir/${name}_${ver//:/%3a}_${arch}.deb" \
             "$debdir/${name}_${ver//:/%3a}_all.deb"; do
        [ -f "$f" ] && { printf '%s\n' "$f"; return 0; }
    done
    return 1
}

# Find the archive URI the machine already uses for bookworm main.
find_uri() {
    local f uri
    # deb822 files: a stanza is a block of lines separated by blank lines.
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        uri=$(awk '
            function flush() {
                if (done) return
                if (uris != "" && suites ~ /(^| )bookworm( |$)/ && comps ~ /(^| )main( |$)/ &&
                    types ~ /(^| )deb( |$)/ && enabled != "no") { split(uris, u, " "); print u[1]; done = 1; exit }
                uris = suites = comps = types = ""; enabled = "yes"
            }
            BEGIN { enabled = "yes" }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            {
                key = tolower($0); sub(/:.*/, "", key)
                val = $0; sub(/^[^:]*:[ \t]*/, "", val)
                if (key == "uris") uris = val
                else if (key == "suites") suites = val
                else if (key == "components") comps = val
                else if (key == "types") types = val
                else if (key == "enabled") enabled = tolower(val)
            }
            END { flush() }' "$f")
        [ -n "$uri" ] && { printf '%s\n' "$uri"; return 0; }
    done
    # One-line format: deb [opts] URI SUITE COMPONENT...
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        uri=$(awk '
            $1 != "deb" { next }
            {
                i = 2
                if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                uri = $i; s = $(i + 1)
                for (j = i + 2; j <= NF; j++)
                    if (s == "bookworm" && $j == "main") { print uri; exit }
            }' "$f")
        [ -n "$uri" ] && { printf '%s\n' "$uri"; return 0; }
    done
    return 1
}

# Are all requested packages pinned and cached?  Then no apt is needed.
need_apt=$deps
for p in "${pkgs[@]}"; do
    case $p in
    *=*) deb_for "${p%%=*}" "${p#*=}" >/dev/null || need_apt=1 ;;
    *) need_apt=1 ;;
    esac
done

apt_opts=()
if [ $need_apt = 1 ]; then
    uri=$(find_uri) || skip "no apt source for 'bookworm main' found in /etc/apt; cannot derive the archive URI"
    mkdir -p "$aptdir/lists/partial" "$aptdir/archives/partial" "$aptdir/etc/preferences.d"
    for s in "$suite" ${also[@]+"${also[@]}"}; do
        printf 'deb [signed-by=%s] %s %s main\n' "$keyring" "$uri" "$s"
    done > "$aptdir/sources.list.new"
    if ! cmp -s "$aptdir/sources.list.new" "$aptdir/sources.list" 2>/dev/null; then
        mv "$aptdir/sources.list.new" "$aptdir/sources.list"
        refresh=1
    else
        rm -f "$aptdir/sources.list.new"
    fi
    apt_opts=(
        -o "Dir::Etc::SourceList=$aptdir/sources.list"
        -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::Etc::Preferences=/dev/null"
        -o "Dir::Etc::PreferencesParts=$aptdir/etc/preferences.d"
        -o "Dir::State::Lists=$aptdir/lists"
        -o "Dir::State::status=/dev/null"
        -o "Dir::Cache=$aptdir"
        -o "Dir::Cache::archives=$aptdir/archives"
        -o "Dir::Cache::pkgcache="
        -o "Dir::Cache::srcpkgcache="
        -o "APT::Architecture=$arch"
        -o "APT::Architectures::=$arch"
        -o "Acquire::Languages=none"
        -o "Acquire::Retries=2"
        -o "Acquire::http::Timeout=30"
        -o "Debug::NoLocking=1"
        -o "APT::Sandbox::User=root"
        -q
    )
    # With several suites, prefer SUITE (e.g. backports over its base).
    [ ${#also[@]} = 0 ] || apt_opts+=(-o "APT::Default-Release=$suite")
    stamp=$aptdir/lists/.vsmmu-updated
    if [ $refresh = 1 ] || [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
        log "updating apt lists for $suite from $uri"
        if ! apt-get "${apt_opts[@]}" update >"$aptdir/update.log" 2>&1 ||
           grep -Eq '^(W|E): (Failed|Some index files failed)' "$aptdir/update.log"; then
            sed 's/^/  /' "$aptdir/update.log" >&2
            if grep -Eq '^E: (Malformed|The list of sources|Conflicting)' "$aptdir/update.log"; then
                die "private apt configuration in $aptdir rejected by apt-get"
            fi
            if grep -q 'does not have a Release file' "$aptdir/update.log"; then
                die "suite '$suite' does not exist at $uri"
            fi
            if [ -f "$stamp" ]; then
                log "warning: cannot refresh apt lists for '$suite'; using the lists from $(date -r "$stamp" +%F)"
            else
                skip "cannot update apt lists for '$suite' from $uri (archive unreachable?)"
            fi
        else
            touch "$stamp"
        fi
    fi
fi

# Resolve PKG[=VER] to name and exact version via the private lists.
resolve() {
    local spec=$1 name ver cand
    name=${spec%%=*}
    if [ "$spec" != "$name" ]; then
        ver=${spec#*=}
    else
        cand=$(apt-cache "${apt_opts[@]}" policy "$name" 2>/dev/null |
               awk '/^  Candidate:/ { print $2; exit }')
        if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
            die "package '$name' not found in $suite"
        fi
        ver=$cand
    fi
    printf '%s %s\n' "$name" "$ver"
}

# --deps: let apt resolve the closure on an empty system (the private
# configuration has an empty dpkg status), and fetch exactly that.
if [ $deps = 1 ]; then
    names=()
    for p in "${pkgs[@]}"; do names+=("${p%%=*}"); done
    if ! sim=$(apt-get "${apt_opts[@]}" -s --no-install-recommends install "${pkgs[@]}" 2>&1); then
        printf '%s\n' "$sim" | sed 's/^/  /' >&2
        die "apt cannot resolve the dependencies of ${names[*]} in $suite${also[*]:+ + ${also[*]}}"
    fi
    mapfile -t pkgs < <(sed -nE 's/^Inst ([^ ]+) \(([^ ]+) .*/\1=\2/p' <<<"$sim")
    [ ${#pkgs[@]} -gt 0 ] || die "apt resolved no packages for ${names[*]}"
    log "dependency closure of ${names[*]}: ${#pkgs[@]} packages"
fi

for spec in "${pkgs[@]}"; do
    if [ $need_apt = 1 ]; then
        nv=$(resolve "$spec")
        name=${nv%% *}; ver=${nv#* }
    else
        name=${spec%%=*}; ver=${spec#*=}
    fi
    if ! deb=$(deb_for "$name" "$ver"); then
        log "downloading $name=$ver from $suite"
        if ! (cd "$aptdir/archives" &&
              apt-get "${apt_opts[@]}" download "$name=$ver") >"$aptdir/download.log" 2>&1; then
            sed 's/^/  /' "$aptdir/download.log" >&2
            if grep -q "Can't find a source\|Version .* was not found\|Unable to locate" "$aptdir/download.log"; then
                die "package $name=$ver is not available in $suite"
            fi
            skip "cannot download $name=$ver from $suite (archive unreachable?)"
        fi
        for f in "$aptdir/archives/${name}_"*.deb; do
            [ -f "$f" ] && mv "$f" "$debdir/"
        done
        deb=$(deb_for "$name" "$ver") || die "download of $name=$ver produced no .deb in $debdir"
    fi
    log "have $deb"
    if [ $extract = 1 ]; then
        dir=$extdir/${name}_${ver//:/%3a}$esuffix
        if [ ! -f "$dir/.vsmmu-extracted" ]; then
            log "extracting $name=$ver into $dir"
            rm -rf "$dir" "$dir.tmp"
            mkdir -p "$dir.tmp"
            dpkg-deb -x "$deb" "$dir.tmp" || die "dpkg-deb -x $deb failed"
            touch "$dir.tmp/.vsmmu-extracted"
            mv "$dir.tmp" "$dir"
        fi
        printf '%s\n' "$dir"
    fi
done
