# SPDX-License-Identifier: GPL-2.0-or-later
#
# Sourced by the test-bed scripts that run a VM as a meson test
# (tests/kernel/run-*.sh, tests/arm64/run-*.sh): their messages, and the
# rule that a skip (exit 77, the environment cannot run the test) is a
# failure under CI=true, where every test must run.
# shellcheck shell=bash

prog=${0##*/}
log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
skip() {
    if [ "${CI:-}" = true ]; then
        log "FAIL: would skip, but CI=true: $*"
        exit 1
    fi
    printf 'SKIP: %s: %s\n' "$prog" "$*" >&2
    exit 77
}

# step_status RC WHAT: judge a preparation step's exit status RC: 77
# skips the test, any other failure fails it.
step_status() {
    case $1 in
    0) ;;
    77) skip "$2 unavailable (skipped, see above)" ;;
    *) die "$2 failed (exit $1)" ;;
    esac
}
