#!/usr/bin/env bash
# Writes src/startup.ld: the functions the console runs from launch to its idle first screen, so the
# release build's linker lays them side by side at the start of the code (see src/build.rs).
#
#   tests/bench/startup_order.sh [BIN]     (default target/release/bucket-console)
#
# Why: the kernel maps a program's code in 64 KiB windows around each page it runs, and resident
# memory counts every window mapped. Spread over 10 MB of code, the start touched 130 of 163
# windows, so most of the binary stayed resident while the console sat idle; gathered, the same
# functions fill a few dozen windows.
#
# How: the console runs twice under valgrind's callgrind in a private tmux pane, 120x40, with its
# embedded server (first on fresh directories, creating the store; then again on them, opening it,
# as every later launch does), until its header says the server answers; then Ctrl+C. Every
# function it entered that the binary defines is kept, in first-use order, with the hash of each
# Rust name turned into a wildcard so the list stays valid across builds and small code changes; a
# name that no longer exists matches nothing and costs nothing. Run again after large changes to
# the start (README's startup figures say when it was last run).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${1:-target/release/bucket-console}
OUT=src/startup.ld
for tool in valgrind tmux nm; do
  command -v "$tool" >/dev/null || { echo "startup_order.sh: needs $tool" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "startup_order.sh: no $BIN (cargo build --release first)" >&2; exit 2; }

WORK=$(mktemp -d)
SOCKET="bucket-order.$$"
trap 'tmux -L "$SOCKET" kill-server 2>/dev/null; rm -rf "$WORK"' EXIT
mkdir -p "$WORK"/{config,data,state}

profile() {
  local out=$1 i
  tmux -L "$SOCKET" -f /dev/null new-session -d -x 120 -y 40 \
    "env XDG_CONFIG_HOME=$WORK/config XDG_DATA_HOME=$WORK/data XDG_STATE_HOME=$WORK/state \
     BUCKET_LOCAL_LISTEN=127.0.0.1:0 valgrind -q --tool=callgrind --demangle=no --dump-instr=no \
     --callgrind-out-file=$out $(printf '%q' "$BIN")"
  for ((i = 0; i < 600; i++)); do
    tmux -L "$SOCKET" capture-pane -p 2>/dev/null | grep -q '● answers' && break
    sleep 0.1
  done
  ((i < 600)) || { echo "startup_order.sh: the console never said its server answers" >&2; exit 1; }
  sleep 1
  tmux -L "$SOCKET" send-keys C-c
  for ((i = 0; i < 600; i++)); do
    tmux -L "$SOCKET" has-session 2>/dev/null || break
    sleep 0.1
  done
  [ -s "$out" ] || { echo "startup_order.sh: callgrind wrote nothing" >&2; exit 1; }
}
profile "$WORK/first.out"
profile "$WORK/again.out"

nm --defined-only "$BIN" | awk '$2 ~ /^[tTwW]$/ {print $3}' | sort -u >"$WORK/defined"
{
  echo "/* The functions the console runs from launch to its idle first screen, laid out first."
  echo "   Written by tests/bench/startup_order.sh from $(git rev-parse --short HEAD 2>/dev/null || echo '?'); see there why. */"
  echo "SECTIONS"
  echo "{"
  echo "  .text.startup_first : {"
  cat "$WORK/first.out" "$WORK/again.out" |
    sed -n 's/^c\{0,1\}fn=([0-9]*) \(.*\)$/\1/p' |
    awk 'NR == FNR {defined[$0] = 1; next} ($0 in defined) && !seen[$0]++' "$WORK/defined" - |
    sed 's/17h[0-9a-f]\{16\}E$/17h*/' |
    awk '!seen[$0]++ {print "    *(.text*." $0 ")"}'
  echo "  }"
  echo "}"
  echo "INSERT BEFORE .text;"
} >"$OUT"
echo "startup_order.sh: $(grep -c '^    \*' "$OUT") functions in $OUT"
