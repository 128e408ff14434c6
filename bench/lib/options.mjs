// Command-line options of bench/run.mjs.
export class UsageError extends Error {}

export function usage(entries) {
  const list = entries.map((e, i) => `${String(i + 1).padStart(4)}  ${e.key}`).join('\n');
  return `usage: node bench/run.mjs [options]   (npm run bench -- [options])

  --runs N      measured runs per side (default 21; 5 with --quick)
  --quick       fewer runs and smaller process counts (a smoke test, not a verdict)
  --only LIST   run only these entries, by number or name, e.g. --only 1,scan-jobs-ps or --only 13,14
  --json        print one JSON object with every figure instead of the report
  --strict      exit 1 when a goal is missed
  -h, --help    this text

entries:
${list}`;
}

/** The watch entries: --for seconds, forks per second elsewhere, SIGUSR1 sent to the target. */
const WATCH = { watchSeconds: 60, forkRate: 1000, signals: 100 };
const WATCH_QUICK = { watchSeconds: 15, forkRate: 1000, signals: 20 };

/** Process counts of the swarms: the goals' sizes, or small ones for --quick. */
function counts(quick) {
  return quick
    ? { swarm: 500, linSmall: 250, linLarge: 1000, rssScan: 1000, fdSmall: 10, fdLarge: 10000, ...WATCH_QUICK }
    : { swarm: 2000, linSmall: 1000, linLarge: 4000, rssScan: 4000, fdSmall: 10, fdLarge: 10000, ...WATCH };
}

function selection(value, entries) {
  const keys = entries.map((e) => e.key);
  const ids = new Set();
  for (const s of value
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const id = /^\d+$/.test(s) ? Number(s) : keys.indexOf(s) + 1;
    if (id < 1 || id > entries.length)
      throw new UsageError(`--only: no entry '${s}' (1-${entries.length} or a name; see --help)`);
    ids.add(id);
  }
  if (!ids.size) throw new UsageError('--only needs at least one entry');
  return ids;
}

export function parseOptions(argv, entries) {
  const o = { runs: undefined, quick: false, only: null, json: false, strict: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.split('=')[0];
    const value = () => {
      if (a.includes('=')) return a.slice(a.indexOf('=') + 1);
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    if (name === '--runs') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--runs needs a positive integer, not '${v}'`);
      o.runs = Number(v);
    } else if (name === '--only') o.only = selection(value(), entries);
    else if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = true;
    else if (a === '--strict') o.strict = true;
    else if (a === '-h' || a === '--help') o.help = true;
    else throw new UsageError(`unknown option '${a}'`);
  }
  o.runs ??= o.quick ? 5 : 21;
  o.warmup = 1;
  o.counts = counts(o.quick);
  return o;
}
