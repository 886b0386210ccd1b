#!/usr/bin/env bash
# SPIN and the toolkit side by side on the same Paxos model (bench/spin/paxos.pml and bench/Verification.SpinPaxos),
# in one run: for each configuration, pan compiled four ways (exact, -DCOLLAPSE, -DHC4 hash compaction, -DBITSTATE)
# and the toolkit's explorer with its exact and hash-compacted visited sets; then one markdown table with the
# states, time, states/s, bytes per state and the rate relative to pan's exact search.
#
#   bench/spin/run.sh                 one ballot per proposer, without and with loss
#   bench/spin/run.sh 1:noloss 2:noloss   any list of BALLOTS[,BALLOTS1]:loss|noloss[:clear]
#   (2,1:noloss: two ballots for proposer 0, one for proposer 1, paxos.pml -DBALLOTS=2 -DBALLOTS1=1)
#   (:clear: a proposer clears what it no longer reads, paxos.pml -DCLEAR and the toolkit's --clear)
#
# Needs spin and gcc (apt-get install spin gcc) and the .NET SDK. Every run is stopped at LIMIT seconds (default 600;
# a stopped run reports its partial rate; VARIANTS and STORES choose the pan builds and toolkit stores); pan gets MEMLIM MB (default 8192) and a depth bound of DEPTH (default
# 1000000). pan's outputs are kept in bench/spin/results/ (the tests read the exact runs' state counts from there).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
limit="${LIMIT:-600}"
memlim="${MEMLIM:-8192}"
depth="${DEPTH:-1000000}"
variants="${VARIANTS:-exact collapse hc4 bitstate}"   # which pan builds, e.g. VARIANTS="hc4" for a large configuration
stores="${STORES:-exact hc bitstate}"                 # which toolkit visited sets (bitstate: the same bit array as pan's)
warm="${WARM:-0}"                                     # whole toolkit searches run first and not timed (JIT, spec compilation)
configs=("$@")
[ ${#configs[@]} -gt 0 ] || configs=(1:noloss 1:loss)

for tool in spin gcc dotnet; do
	command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed (spin, gcc: apt-get install spin gcc)" >&2; exit 2; }
done
for config in "${configs[@]}"; do
	[[ "$config" =~ ^[1-3](,[1-3])?:(loss|noloss)(:clear)?$ ]] || { echo "run.sh: configuration '$config' is not BALLOTS[,BALLOTS1]:loss|noloss[:clear] with BALLOTS 1..3" >&2; exit 2; }
done

echo "building the toolkit side (Release)..." >&2
dotnet build -c Release "$repo/bench/Verification.Bench" -v q -nologo >&2
bench="$repo/bench/Verification.Bench/bin/Release/net10.0/Verification.Bench.dll"
mkdir -p "$here/results"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rows=()
declare -A pan_states   # configuration -> pan's exact count, for the equality check
mismatches=0
echo "load at start: $(uptime)" >&2

# pan's figures from its output: states stored, seconds, states/s, bytes of state storage per stored state.
pan_row() { # config variant output-file
	local out="$3" stored seconds rate mem
	stored=$(awk '/states, stored/ {print $1; exit}' "$out")
	seconds=$(awk '/pan: elapsed time/ {print $4; exit}' "$out")
	if [ -z "$stored" ] || grep -q "Interrupted" "$out"; then # stopped at the time limit (SIGINT: pan prints its figures so far)
		[ -n "$stored" ] || stored=$(awk '/^Depth=/ {s=$4} END {printf "%.0f", s}' "$out")
		[ -n "$seconds" ] || seconds=$(awk '/^Depth=/ {for (i = 1; i < NF; i++) if ($i == "t=") t = $(i + 1)} END {print t}' "$out")
		rate=$(awk -v s="$stored" -v t="$seconds" 'BEGIN {printf "%.0f", s / (t > 0 ? t : 0.001)}')
		rows+=("| $1 | SPIN | $2 | ≥ $stored (stopped at ${limit} s) | $seconds | $rate | | RATE:$rate |")
		return
	fi
	rate=$(awk -v s="$stored" -v t="$seconds" 'BEGIN {printf "%.0f", s / (t > 0 ? t : 0.001)}')
	[ "$2" = "pan exact" ] && pan_states["$1"]="$stored"
	# "actual memory usage for states" (MB), or for bitstate the bit array ("memory used for hash array").
	mem=$(awk '/actual memory usage for states/ {print $1; exit} /for hash array/ {print $1; exit}' "$out")
	rows+=("| $1 | SPIN | $2 | $stored | $seconds | $rate | $(awk -v m="$mem" -v s="$stored" 'BEGIN {printf "%.1f", m * 1048576 / s}') | RATE:$rate |")
}

for config in "${configs[@]}"; do
	IFS=: read -r ballots loss clear <<<"$config"
	IFS=, read -r ballots ballots1 <<<"$ballots"   # "2,1": proposer 1 has fewer ballots (-DBALLOTS1)
	defines="-DBALLOTS=$ballots"
	name="paxos-b$ballots"
	if [ -n "$ballots1" ]; then defines="$defines -DBALLOTS1=$ballots1"; name="$name-$ballots1"; fi
	name="$name-$loss"
	each="$ballots${ballots1:+,$ballots1}"   # ballots as the toolkit's --spin-paxos and the table take them
	[ "$loss" = loss ] && defines="$defines -DLOSS"
	toolkit_flags=()
	if [ "$clear" = clear ]; then defines="$defines -DCLEAR"; name="$name-clear"; toolkit_flags+=(--clear); fi
	[ "$warm" -gt 0 ] && toolkit_flags+=(--warm "$warm")
	loss="$loss${clear:+, clear}"  # the configuration's label from here on
	# -o2: keep write-only variables (a proposer's 'decided') in the state vector, as the toolkit's state keeps them;
	# by default spin hides them, which merges states from two ballots on (see paxos.pml).
	(cd "$work" && spin -a -o2 $defines "$here/paxos.pml" >/dev/null)
	# One process whose every step is a d_step: partial-order reduction has nothing to reduce (-DNOREDUCE says so).
	for variant in $variants; do
		case "$variant" in
			exact) flags="" ;;
			collapse) flags="-DCOLLAPSE" ;;
			hc4) flags="-DHC4" ;;
			bitstate) flags="-DBITSTATE" ;;
		esac
		gcc -O2 -DSAFETY -DNOREDUCE -DMEMLIM="$memlim" $flags -o "$work/pan-$variant" "$work/pan.c"
		# Hash table: 2^24 slots for small runs, 2^27 for the large ones; bitstate: a 2^28-bit (32 MiB) array, 2^33 (1 GiB) for large ones.
		large=$([ "$ballots" -ge 2 ] && echo 1 || echo 0)
		width=$([ "$large" = 1 ] && echo 27 || echo 24)
		[ "$variant" = bitstate ] && width=$([ "$large" = 1 ] && echo 33 || echo 28)
		echo "$name: pan $variant..." >&2
		(cd "$work" && timeout -s INT "$limit" "./pan-$variant" -m"$depth" -w"$width" > "$here/results/$name-$variant.pan.txt" 2>&1) || true
		pan_row "$each ballot(s), $loss" "pan $variant" "$here/results/$name-$variant.pan.txt"
	done
	for store in $stores; do
		echo "$name: toolkit $store..." >&2
		bits=$([ "$ballots" -ge 2 ] && echo 33 || echo 28)
		line=$(dotnet "$bench" --spin-paxos "$each" "${loss%%,*}" "$store" --bits "$bits" "${toolkit_flags[@]}" --minutes "$(awk -v l="$limit" 'BEGIN {print l / 60}')" | head -1) || true
		states=$(sed -n 's/.*states=\([0-9]*\).*/\1/p' <<<"$line")
		seconds=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line")
		rate=$(sed -n 's/.*states_per_s=\([0-9]*\).*/\1/p' <<<"$line")
		bytes=$(sed -n 's/.*bytes_per_state=\([0-9]*\).*/\1/p' <<<"$line")
		label="explorer $(case "$store" in hc) echo "HashCompaction" ;; bitstate) echo "Bitstate (2^$bits bits)" ;; *) echo "Exact" ;; esac)$([ "$warm" -gt 0 ] && echo " (after $warm untimed)" || true)"
		case "$line" in
			"toolkit partial"*) rows+=("| $each ballot(s), $loss | toolkit | $label | ≥ $states (stopped at ${limit} s) | $seconds | $rate | | TOOLKIT:$rate |") ;;
			"toolkit states"*)
				expected="${pan_states["$each ballot(s), $loss"]:-}"
				if [ "$store" = bitstate ]; then # a sweep may miss states: its count is reported, not required to match
					echo "$each ballot(s), $loss: toolkit bitstate $states states ($(sed -n 's/.*verdict=\([A-Za-z]*\).*/\1/p' <<<"$line")), pan exact ${expected:-?}" >&2
				elif [ -n "$expected" ] && [ "$expected" != "$states" ]; then
					echo "MISMATCH: $each ballot(s), $loss: toolkit $store $states states, pan exact $expected" >&2
					mismatches=$((mismatches + 1))
				elif [ -n "$expected" ]; then
					echo "$each ballot(s), $loss: toolkit $store and pan exact both $states states" >&2
				fi
				rows+=("| $each ballot(s), $loss | toolkit | $label | $states | $seconds | $rate | $bytes | TOOLKIT:$rate |") ;;
			*) rows+=("| $each ballot(s), $loss | toolkit | $label | failed: $line | | | | |") ;;
		esac
	done
done

# The planted bug (one acceptor taken for a quorum), one ballot: pan must report the agreement assertion violated,
# as the toolkit reports Agreement violated (the tests read this output too).
(cd "$work" && spin -a -o2 -DBALLOTS=1 -DBUG_MINORITY_QUORUM "$here/paxos.pml" >/dev/null && gcc -O2 -DSAFETY -DNOREDUCE -o pan-bug pan.c \
	&& (./pan-bug -m"$depth" > "$here/results/paxos-b1-noloss-bug-minority-quorum.pan.txt" 2>&1 || true))
grep -q "assertion violated" "$here/results/paxos-b1-noloss-bug-minority-quorum.pan.txt" \
	&& echo "planted bug (minority quorum): pan reports the agreement assertion violated" >&2 \
	|| echo "planted bug (minority quorum): pan did NOT report it" >&2

# The last column: each row's states/s over that of the configuration's first pan build (exact, unless VARIANTS says otherwise).
echo
echo "load at end: $(uptime)"
echo
echo "| configuration | tool | visited set | states | s | states/s | bytes/state | rate ÷ first pan row's |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
reference=""
current=""
for row in "${rows[@]}"; do
	config=$(cut -d'|' -f2 <<<"$row")
	if [ "$config" != "$current" ]; then current="$config"; reference=""; fi
	rate=$(sed -n 's/.*\(RATE\|TOOLKIT\):\([0-9]*\) |$/\2/p' <<<"$row")
	if [ -z "$reference" ] && [[ "$row" == *"RATE:"* ]]; then reference="$rate"; fi
	if [ -n "$rate" ] && [ -n "$reference" ] && [ "$reference" != 0 ]; then
		ratio=$(awk -v r="$rate" -v s="$reference" 'BEGIN {printf "%.3f×", r / s}')
		row=$(sed "s/\(RATE\|TOOLKIT\):[0-9]* |$/$ratio |/" <<<"$row")
	else
		row=$(sed "s/\(RATE\|TOOLKIT\):[0-9]* |$/ |/" <<<"$row")
	fi
	echo "$row"
done
[ "$mismatches" = 0 ] || { echo "run.sh: $mismatches state count(s) differ between pan and the toolkit" >&2; exit 1; }
