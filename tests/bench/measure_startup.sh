#!/usr/bin/env bash
# The time a terminal program takes to its first complete screen, and its memory and CPU once idle,
# measured in a tmux pane of its own.
#
#   measure_startup.sh [-n RUNS] [-p POLL_MS | -c] [-x COLS] [-y ROWS] [-i IDLE_S] -- COMMAND [ARGS...]
#
# Each run: a private tmux server opens a COLS×ROWS pane running `sh -c 'read _; exec COMMAND'`, so
# the pane stays blank until Enter is sent; the clock starts at that Enter. The pane is captured
# every POLL_MS: the first capture with any visible character is the first draw, and the screen is
# "settled" once it has not changed for 300 ms. Each capture starts a tmux client (about 7 ms
# here), so a polled figure moves in steps of that size. With -c a control-mode client sends the
# Enter and reports the pane's output as it comes: the first draw is the first piece with a letter
# outside an escape sequence (no capture), and the screen has settled once no output came for
# 300 ms. Then for IDLE_S seconds the program's resident
# memory (its process and children) is sampled every 100 ms, and its CPU time over that window
# gives the idle CPU. One unmeasured warm-up run comes first; the medians of RUNS are printed on a
# line starting with MEDIAN.
set -u
RUNS=5 POLL_MS=10 COLS=120 ROWS=40 IDLE=3 SETTLE_MS=300 TIMEOUT_S=20 CONTROL=""
while getopts "n:p:x:y:i:c" opt; do
  case $opt in
    n) RUNS=$OPTARG ;; p) POLL_MS=$OPTARG ;; x) COLS=$OPTARG ;; y) ROWS=$OPTARG ;; i) IDLE=$OPTARG ;;
    c) CONTROL=1 ;;
    *) sed -n '2,17p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ $# -ge 1 ] || { sed -n '2,17p' "$0"; exit 2; }
COMMAND=$(printf '%q ' "$@")
SOCKET="bucket-measure.$$"
tm() { tmux -L "$SOCKET" "$@"; }
trap 'tm kill-server 2>/dev/null' EXIT

micros() { echo "${EPOCHREALTIME/./}"; }
median() { sort -n | awk '{v[NR] = $1} END { if (NR == 0) print "NA"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Resident KiB of a process and all its descendants.
tree_rss() {
  local pids
  pids=$(ps -e -o pid=,ppid= | awk -v root="$1" '{parent[$1] = $2} END { keep[root] = 1; grew = 1; while (grew) { grew = 0; for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; grew = 1 } } for (p in keep) print p }')
  ps -o rss= -p "$(echo $pids | tr ' ' ',')" 2>/dev/null | awk '{s += $1} END {print s + 0}'
}

# Sets start and first (microseconds) by capturing the pane every POLL_MS.
watch_polling() {
  local pause; pause=$(awk -v ms="$POLL_MS" 'BEGIN { printf "%.3f", ms / 1000 }')
  local changed="" last="" screen now limit
  start=$(micros); limit=$((start + TIMEOUT_S * 1000000))
  tm send-keys -t m Enter
  while :; do
    screen=$(tm capture-pane -p -t m 2>/dev/null); now=$(micros)
    if [ -z "$first" ]; then
      [[ "$screen" =~ [^[:space:]] ]] && { first=$now; changed=$now; last=$screen; }
    elif [ "$screen" != "$last" ]; then
      last=$screen; changed=$now
    elif (( now - changed >= SETTLE_MS * 1000 )); then
      break
    fi
    (( now > limit )) && break
    sleep "$pause"
  done
}

# Sets start and first from a control-mode client's %output notifications, which carry what the
# program wrote (control characters as \ooo). The first draw is the first piece with a visible
# letter. Bash reads a pipe a byte at a time, so a frame's line takes milliseconds to read: its
# time is taken after its first word. No process is started between the Enter and the first draw
# (`$(…)` is a fork too).
watch_control() {
  local word line settle limit letter='(^|[^][0-9;?<>=()#\\])[[:alpha:]]'
  settle=$(awk -v ms="$SETTLE_MS" 'BEGIN { printf "%.3f", ms / 1000 }')
  # Two FIFOs rather than `coproc`: a coproc left from the warm-up run outlives it in bash.
  local fifos to from client
  fifos=$(mktemp -d)
  mkfifo "$fifos/in" "$fifos/out"
  tmux -L "$SOCKET" -C attach -t m <"$fifos/in" >"$fifos/out" 2>/dev/null &
  client=$!
  exec {to}>"$fifos/in" {from}<"$fifos/out"
  # What attaching printed.
  while IFS= read -r -t 0.2 line <&"$from"; do :; done
  start=${EPOCHREALTIME/./}; limit=$((start + TIMEOUT_S * 1000000))
  printf 'send-keys -t m Enter\n' >&"$to"
  while IFS= read -r -d ' ' -t "$TIMEOUT_S" word <&"$from"; do
    local at=${EPOCHREALTIME/./}
    IFS= read -r -t "$TIMEOUT_S" line <&"$from" || break
    [ "$word" = "%output" ] || continue
    # A letter that ends no escape sequence (ESC [ … m, ESC ( B, \ooo): pattern substitution
    # would be quadratic on a frame's line, a regular expression is not.
    [[ ${line#* } =~ $letter ]] && { first=$at; break; }
    (( at > limit )) && break
  done
  while IFS= read -r -t "$settle" line <&"$from" && (( ${EPOCHREALTIME/./} < limit )); do :; done
  exec {to}>&- {from}<&-
  kill "$client" 2>/dev/null
  wait "$client" 2>/dev/null
  rm -r "$fifos"
}

run() {
  local start="" first=""
  tm kill-server 2>/dev/null
  tm -f /dev/null new-session -d -s m -x "$COLS" -y "$ROWS" "sh -c 'read _; exec $COMMAND'" || return 1
  local pid; pid=$(tm display-message -p -t m '#{pane_pid}')
  sleep 0.3
  if [ -n "$CONTROL" ]; then watch_control; else watch_polling; fi
  local peak=0 rss i ticks; ticks=$(getconf CLK_TCK)
  local cpu0 cpu1 wall0 wall1
  cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null); wall0=$(micros)
  for ((i = 0; i < IDLE * 10; i++)); do
    rss=$(tree_rss "$pid"); (( rss > peak )) && peak=$rss; sleep 0.1
  done
  cpu1=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null); wall1=$(micros)
  local ms="NA" cpu="NA"
  [ -n "$first" ] && ms=$(awk -v a="$start" -v b="$first" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
  [ -n "$cpu0" ] && [ -n "$cpu1" ] && cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v t0="$wall0" -v t1="$wall1" -v hz="$ticks" 'BEGIN { printf "%.2f", 100 * (b - a) / hz / ((t1 - t0) / 1e6) }')
  tm kill-server 2>/dev/null
  echo "$ms $peak $cpu"
}

echo "# $COMMAND"
echo "# $(uname -srm), $(nproc) cpu, tmux $(tmux -V | cut -d' ' -f2), ${COLS}x${ROWS}, $([ -n "$CONTROL" ] && echo "control mode" || echo "poll ${POLL_MS} ms")"
run >/dev/null
printf '%-4s %9s %13s %9s\n' run first_ms idle_rss_kib idle_cpu%
FIRST=() RSS=() CPU=()
for ((k = 1; k <= RUNS; k++)); do
  read -r f r c < <(run)
  printf '%-4s %9s %13s %9s\n' "$k" "$f" "$r" "$c"
  FIRST+=("$f"); RSS+=("$r"); CPU+=("$c")
done
echo "MEDIAN first_draw_ms=$(printf '%s\n' "${FIRST[@]}" | grep -v NA | median) idle_rss_kib=$(printf '%s\n' "${RSS[@]}" | median) idle_cpu_pct=$(printf '%s\n' "${CPU[@]}" | grep -v NA | median)"
