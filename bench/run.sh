#!/usr/bin/env bash
# bench/run.sh runs seedbench's benchmarks side by side, COUNT times each (default 6, the fewest for which benchstat gives a confidence interval),
# and summarises them with benchstat (medians with their spread) and, for
# selfcheck, bench/selfcheckstat. Everything talks to loopback servers the
# benchmarks start themselves. See bench/README.md for what each figure means.
#
#   bench/run.sh                 # every group, 6 runs each
#   bench/run.sh -n 3 mock       # only the mock benchmarks, 3 runs
#   bench/run.sh -o /tmp/b runner report
#
# Groups: race mock runner scenarios report selfcheck (default: all). Raw outputs and
# summaries land in bench/out/<UTC time>/ (or -o DIR).
set -euo pipefail

COUNT=6
OUT=""
while getopts "n:o:h" opt; do
	case $opt in
	n) COUNT=$OPTARG ;;
	o) OUT=$OPTARG ;;
	*) sed -n '2,13p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
GROUPS_TO_RUN=("$@")
[ ${#GROUPS_TO_RUN[@]} -eq 0 ] && GROUPS_TO_RUN=(race mock runner scenarios report selfcheck)

cd "$(dirname "$0")/.."
OUT=${OUT:-bench/out/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
BENCHSTAT=(go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da)

{
	echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "go:      $(go version)"
	echo "cpus:    $(nproc 2>/dev/null || sysctl -n hw.ncpu)"
	echo "memory:  $(free -h 2>/dev/null | awk '/^Mem:/ {print $2}')"
	echo "load:    $(uptime | sed 's/.*load average/load average/')"
} | tee "$OUT/machine.txt"

# bench GROUP PKG REGEX [go test flags...] appends one package's benchmarks
# to OUT/GROUP.txt. A benchmark that fails (a loaded machine can make one
# give up) is noted and the script goes on; it exits 1 at the end.
FAILED=()
bench() {
	local group=$1 pkg=$2 re=$3
	shift 3
	echo "== $group: go test -run '^\$' -bench '$re' -count $COUNT $* $pkg"
	if ! go test -run '^$' -bench "$re" -benchmem -count "$COUNT" "$@" "$pkg" | tee -a "$OUT/$group.txt"; then
		FAILED+=("$group: $pkg $re")
	fi
	echo "load:    $(uptime | sed 's/.*load average/load average/')" | tee -a "$OUT/$group.load"
}

for g in "${GROUPS_TO_RUN[@]}"; do
	case $g in
	race)
		# seedbench's runner vs the vegeta library on bench/ssetarget (its
		# own process): client CPU per 1,000 requests at 2,000/s and 6,000/s
		# and the highest pace each keeps on time. One invocation, COUNT
		# alternating rounds inside it; the figures are their medians.
		echo "== race: SEEDBENCH_RACE_ROUNDS=$COUNT go test -run '^\$' -bench 'Race\$' -benchtime 1x ./runner/"
		SEEDBENCH_RACE_ROUNDS=$COUNT go test -run '^$' -bench 'Race$' -benchtime 1x ./runner/ | tee -a "$OUT/race.txt" || FAILED+=("race")
		echo "load:    $(uptime | sed 's/.*load average/load average/')" | tee -a "$OUT/race.txt"
		continue
		;;
	mock)
		# Tokens/s of the mock alone and over loopback, on one core, and of
		# the minimal SSE server (bench/ssetarget) with one write per event,
		# the baseline for the mock's per-event figure; then the memory one
		# open stream costs (4,000 streams, one pass per run).
		bench mock ./mockserver/ 'Stream' -cpu 1
		bench mock ./bench/ssetarget/ 'Stream' -cpu 1
		bench mock ./mockserver/ 'OpenStreams' -cpu 1 -benchtime 1x
		;;
	runner)
		# Whole-workload benchmarks run once per sample (-benchtime 1x): max
		# paced rate vs vegeta, TTFT error at 100/500 streams, RSS per stream
		# at 4,000 streams. Then the per-request costs.
		bench runner ./runner/ 'TTFTError|OpenStreamsRSS' -benchtime 1x
		bench runner ./runner/ 'PromptSize|DecodeEvent'
		;;
	scenarios)
		bench scenarios ./scenarios/ '.'
		;;
	report)
		# A million records (≈1 KB each, written once to the temp dir and
		# reused) through every output of `seedbench report`, plots included.
		bench report ./report/ 'Report(Million|100k)' -benchtime 1x
		;;
	selfcheck)
		go build -o "$OUT/seedbench" ./cmd/seedbench
		for i in $(seq "$COUNT"); do
			echo "== selfcheck run $i/$COUNT"
			# Exit 3 (not trusted) is a result here, not a failure of the script.
			"$OUT/seedbench" selfcheck --json >"$OUT/selfcheck-$i.json" || [ $? -eq 3 ]
		done
		go run ./bench/selfcheckstat "$OUT"/selfcheck-*.json | tee "$OUT/selfcheck.md"
		continue
		;;
	*)
		echo "bench/run.sh: unknown group $g (race mock runner scenarios report selfcheck)" >&2
		exit 2
		;;
	esac
	"${BENCHSTAT[@]}" "$OUT/$g.txt" | tee "$OUT/$g.benchstat"
done
echo "results in $OUT"
if [ ${#FAILED[@]} -gt 0 ]; then
	printf 'failed: %s\n' "${FAILED[@]}" >&2
	exit 1
fi
