/**
 * The fuzz runs of test/unit/fuzz*.test.ts: the fixtures, the mutated trees
 * (the same tree for the same seed in every file), and the two ways a tree
 * is audited, in-process through the library and as the CLI's own code does.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { auditTargets } from '../../src/api.js';
import { auditProcess } from '../../src/audit.js';
import { CliError } from '../../src/cli/errors.js';
import { toAuditOptions, type CommonOptions } from '../../src/cli/common.js';
import { DaemonCheckError } from '../../src/core/errors.js';
import { readPidfileFacts } from '../../src/host/pidfile.js';
import { hostFor } from '../../src/host/reader.js';
import { openProcSource } from '../../src/proc/source.js';
import { pidFromPidfile } from '../../src/target.js';
import type { Report } from '../../src/audit-types.js';
import { exitCodeFor } from '../../src/verdict.js';
import { Rand, copyTree, mutate, pidfileContent, treeSeed, type Tree } from './fuzz.js';

export const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures');
export const BASE_SEED = Number(process.env.FUZZ_SEED ?? 0xdc0fa22);
export const TREES_PER_FIXTURE = Number(process.env.FUZZ_TREES ?? 60);
/** Every CLI_EVERY-th tree also goes through the real CLI. */
export const CLI_EVERY = 4;

export const fixtures = fs
  .readdirSync(FIXTURES)
  .filter((d) => fs.existsSync(path.join(FIXTURES, d, 'meta.json')))
  .sort()
  .map((name) => ({
    name,
    pid: (JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'meta.json'), 'utf8')) as { pid: number }).pid,
  }));

/** A count map as `key: n, ...`, in key order, for the summary line a fuzz file prints. */
export function hist(m: Map<string | number, number>): string {
  return [...m.entries()]
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
}

export function bump<K>(m: Map<K, number>, k: K): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

export function describeTree(t: Tree, seed: number): string {
  return `${t.fixture} (tree seed ${seed}${t.pidfile ? `, --pidfile ${JSON.stringify(fs.readFileSync(t.pidfile, 'latin1').slice(0, 40))}` : ''}):\n    ${t.log.join('\n    ')}`;
}

/**
 * A replay reads the pidfile a capture recorded, never the live file system:
 * record the (maybe garbage) pidfile in meta.json as `capture --pidfile` does.
 * A meta.json the mutation garbled stays garbled.
 */
function recordPidfile(t: Tree): void {
  const file = path.join(t.dir, 'meta.json');
  let meta: unknown;
  try {
    meta = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return;
  }
  if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return;
  fs.writeFileSync(file, JSON.stringify({ ...meta, pidfile: readPidfileFacts(t.pidfile!) }));
}

/**
 * Tree I of fixture number INDEX, copied under DIR and mutated as its seed
 * says (one to three mutations, and a pidfile of its own one time in seven).
 */
export function mutatedTree(dir: string, index: number, i: number): { tree: Tree; seed: number } {
  const { name, pid } = fixtures[index]!;
  const seed = treeSeed(BASE_SEED, index, i);
  const r = new Rand(seed);
  const t = copyTree(path.join(FIXTURES, name), path.join(dir, `${name}-${i}`), name, pid);
  mutate(t, r, r.int(1, 3));
  if (r.bool(0.15)) {
    t.pidfile = path.join(t.dir, 'app.pid');
    fs.writeFileSync(t.pidfile, pidfileContent(t, r));
    recordPidfile(t);
  }
  return { tree: t, seed };
}

/** The library entry, as a program embedding daemon-check would call it. */
export function auditInProcess(t: Tree): { report: Report } | { error: DaemonCheckError } {
  try {
    const source = openProcSource(t.dir);
    const host = hostFor(source, true);
    if (t.pidfile) {
      const pid = pidFromPidfile(t.pidfile, source, host);
      return { report: auditProcess(source, pid, { pidfile: t.pidfile }, { host }) };
    }
    return { report: auditProcess(source, t.pid, {}, { host }) };
  } catch (err) {
    if (err instanceof DaemonCheckError) return { error: err };
    throw err;
  }
}

function cliOptions(t: Tree): CommonOptions {
  return {
    format: 'json',
    json: true,
    profile: 'auto',
    failOn: 'fail',
    procRoot: t.dir,
    hostRoot: '/',
    color: false,
    ...(t.pidfile ? { pidfile: t.pidfile } : {}),
  };
}

export function cliArgs(t: Tree): string[] {
  return [...(t.pidfile ? ['--pidfile', t.pidfile] : [String(t.pid)]), '--proc-root', t.dir, '--json'];
}

/** What the CLI must do for a tree: the CLI's own code (auditTargets) run in-process. */
export interface CliOutcome {
  code: number;
  reports?: Report[];
  message?: string;
}

export async function expectedCli(t: Tree): Promise<CliOutcome> {
  try {
    const opts = cliOptions(t);
    const reports = await auditTargets(t.pidfile ? { pidfile: t.pidfile } : String(t.pid), toAuditOptions(opts), {
      excludeSelf: true,
    });
    return { code: exitCodeFor(reports, 'fail'), reports };
  } catch (err) {
    if (err instanceof DaemonCheckError || err instanceof CliError) return { code: err.exitCode, message: err.message };
    throw err;
  }
}
