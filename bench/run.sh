#!/usr/bin/env bash
# The throughput benchmark in one command: installs what it needs, builds release, generates the
# 1x/2x/4x corpora if absent, times `copydesk lint` and the `rg` reference with hyperfine, measures
# peak memory with /usr/bin/time, and prints a markdown table and the bar checks.
#
#   bench/run.sh                      # from the repository root, or from anywhere
#   RUNS=5 SIZES="1 2 4" bench/run.sh
#
# Settings (environment): RUNS (timed runs a case, default 3), SIZES (corpus multiples, default
# "1 2 4"; the 4x bars need 1 and 4), BASE_MB (the 1x size, default 200), SEED (default 1),
# DATA (default ../shared/data), PATTERNS (default ../shared/bench/rg-patterns.txt), CORPUS
# (where the corpora go, default bench/corpus).
# Output: bench/out/ (hyperfine JSON, time -v logs, lint JSON, table.md). See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SIZES=${SIZES:-"1 2 4"}
BASE_MB=${BASE_MB:-200}
SEED=${SEED:-1}
DATA=${DATA:-../shared/data}
PATTERNS=${PATTERNS:-../shared/bench/rg-patterns.txt}
CORPUS=${CORPUS:-bench/corpus}
OUT=bench/out
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/copydesk
GEN=$TARGET/release/examples/gen_corpus

log() { printf '== %s\n' "$*" >&2; }

# --- tools -----------------------------------------------------------------------------------
missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v rg >/dev/null || missing+=(ripgrep)
[ -x /usr/bin/time ] || missing+=(time)
command -v python3 >/dev/null || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for f in "$DATA" "$PATTERNS"; do
    [ -e "$f" ] || { echo "bench/run.sh: $f not found (set DATA / PATTERNS)" >&2; exit 2; }
done

# --- build and corpora -----------------------------------------------------------------------
log "cargo build --release"
cargo build --release --locked --bin copydesk --example gen_corpus
mkdir -p "$OUT"
for s in $SIZES; do
    dir=$CORPUS/${s}x
    # SUMMARY.tsv is written last: its presence means the corpus is complete. A corpus built with
    # another size or seed is built again.
    field() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$dir/SUMMARY.tsv" 2>/dev/null || true; }
    if [ "$(field size-mb)" != "$((BASE_MB * s))" ] || [ "$(field seed)" != "$SEED" ]; then
        log "generating $dir ($((BASE_MB * s)) MB, seed $SEED)"
        "$GEN" --data "$DATA" --out "$dir" --size-mb $((BASE_MB * s)) --seed "$SEED"
        generated=1
    fi
done
# Let the kernel write the new files out now rather than during the timed runs.
[ -z "${generated:-}" ] || sync

# Other processes on the machine skew every figure; say so in the output.
load_before=$(cut -d' ' -f1 /proc/loadavg)

# --- measurements ----------------------------------------------------------------------------
# A case: name, corpus multiple, command. Each is timed by hyperfine (median of RUNS after one
# warm-up run, so the page cache is warm) and run once more under /usr/bin/time -v for peak RSS.
# copydesk gets --fail-on never: findings are expected and must not look like a failed run.
cases=()
add_case() { cases+=("$1|$2|$3"); }
for s in $SIZES; do
    add_case "lint ${s}x" "$s" "$BIN lint $CORPUS/${s}x --format json --fail-on never > $OUT/lint-${s}x.json"
done
case " $SIZES " in
*" 1 "*)
    for j in 1 2; do
        add_case "lint 1x --jobs $j" 1 "$BIN lint $CORPUS/1x --jobs $j --format json --fail-on never > $OUT/lint-1x-jobs$j.json"
    done
    ;;
esac
# The reference: ripgrep counting 20 regexes over the same .txt files (not the manifests).
for s in $SIZES; do
    add_case "rg ${s}x" "$s" "rg --count-matches -g '*.txt' -f $PATTERNS $CORPUS/${s}x > /dev/null"
done

: > "$OUT/cases.tsv"
for c in "${cases[@]}"; do
    IFS='|' read -r name size cmd <<< "$c"
    slug=$(printf '%s' "$name" | tr -c 'a-z0-9' '-' | sed 's/-\+/-/g; s/-$//')
    log "$name: $cmd"
    hyperfine --style basic --warmup 1 --runs "$RUNS" --ignore-failure \
        --command-name "$name" --export-json "$OUT/hf-$slug.json" "$cmd" >&2
    /usr/bin/time -v -o "$OUT/time-$slug.txt" bash -c "$cmd"
    printf '%s\t%s\t%s\t%s\n' "$name" "$size" "$slug" "$cmd" >> "$OUT/cases.tsv"
done

log "timings (copydesk lint --timings on the 1x corpus)"
"$BIN" lint "$CORPUS/1x" --format json --fail-on never --timings > /dev/null 2> "$OUT/timings-1x.txt" || true
cat "$OUT/timings-1x.txt" >&2

# --- table -----------------------------------------------------------------------------------
python3 - "$OUT" "$CORPUS" "$RUNS" <<'PY'
import json, os, sys

out, corpus, runs = sys.argv[1], sys.argv[2], sys.argv[3]

def summary(size):
    rows = {}
    with open(os.path.join(corpus, f"{size}x", "SUMMARY.tsv")) as f:
        for line in f.read().splitlines()[1:]:
            what, count, _rate = line.split("\t")
            rows[what] = count
    return int(rows["files"]), int(rows["bytes"])

def peak_rss_mb(slug):
    with open(os.path.join(out, f"time-{slug}.txt")) as f:
        for line in f:
            if "Maximum resident set size" in line:
                return int(line.rsplit(":", 1)[1]) / 1024
    return float("nan")

cases = []
with open(os.path.join(out, "cases.tsv")) as f:
    for line in f:
        name, size, slug, cmd = line.rstrip("\n").split("\t")
        with open(os.path.join(out, f"hf-{slug}.json")) as h:
            result = json.load(h)["results"][0]
        files, nbytes = summary(size)
        cases.append(dict(name=name, size=size, slug=slug, cmd=cmd, files=files,
                          mb=nbytes / 1e6, median=result["median"], low=result["min"],
                          high=result["max"], rss=peak_rss_mb(slug)))
by_name = {c["name"]: c for c in cases}

lines = [f"| case | files | MB | median s ({runs} runs) | min–max s | MB/s | speed / rg speed | peak RSS MB |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
for c in cases:
    rg = by_name.get(f"rg {c['size']}x")
    ratio = f"{rg['median'] / c['median']:.2f}" if rg else "-"
    lines.append(f"| `{c['name']}` | {c['files']:,} | {c['mb']:.0f} | {c['median']:.2f} "
                 f"| {c['low']:.2f}–{c['high']:.2f} | {c['mb'] / c['median']:.1f} | {ratio} "
                 f"| {c['rss']:.0f} |")

bars = []
def bar(name, value, op, threshold):
    if value is None:
        bars.append(f"| {name} | - | {op} {threshold} | SKIPPED |")
        return
    ok = value >= threshold if op == ">=" else value <= threshold
    bars.append(f"| {name} | {value:.2f} | {op} {threshold} | {'PASS' if ok else 'FAIL'} |")

def get(name):
    return by_name.get(name)

l1, l4, rg1 = get("lint 1x"), get("lint 4x"), get("rg 1x")
j1, j2 = get("lint 1x --jobs 1"), get("lint 1x --jobs 2")
bar("lint 1x MB/s", l1 and l1["mb"] / l1["median"], ">=", 60)
bar("lint 1x speed / rg 1x speed", l1 and rg1 and rg1["median"] / l1["median"], ">=", 0.3)
bar("lint 4x time / lint 1x time", l1 and l4 and l4["median"] / l1["median"], "<=", 4.5)
bar("lint 4x peak RSS / lint 1x peak RSS", l1 and l4 and l4["rss"] / l1["rss"], "<=", 1.5)
bar("--jobs 2 speed-up over --jobs 1", j1 and j2 and j1["median"] / j2["median"], ">=", 1.7)

table = "\n".join(lines + ["", "| bar | value | needs | result |", "|---|---:|---:|---|"] + bars)
with open(os.path.join(out, "table.md"), "w") as f:
    f.write(table + "\n")
print(table)
PY

cores=$(nproc)
echo
echo "Machine: $cores cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(rg --version | sed -n 1p), $(hyperfine --version)."
echo "Commit: $(git rev-parse --short HEAD 2>/dev/null || echo '?'). Command: RUNS=$RUNS SIZES=\"$SIZES\" BASE_MB=$BASE_MB SEED=$SEED bench/run.sh"
echo "Load average (1 min) before the timed runs: $load_before."
if awk -v a="$load_before" 'BEGIN { exit !(a > 0.5) }'; then
    echo "Note: other processes were using the CPU; the figures are pessimistic and noisy."
fi
if [ "$cores" -ne 2 ]; then
    echo "Note: the bars are defined for 2 cores; this machine has $cores (try: taskset -c 0,1 bench/run.sh)."
fi
