/** Identity is (pid, starttime): evidence from a process that went away mid-audit is thrown out. */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditProcess } from '../../src/audit.js';
import { CaptureHost, readCaptureMeta } from '../../src/host/reader.js';
import { FixtureProcSource, type ProcSource, type TargetStat } from '../../src/proc/source.js';
import { DaemonCheckError, ProcReadError } from '../../src/core/errors.js';

const DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'double-fork-pidfile', 'proc');
const meta = readCaptureMeta(DIR)!;
const pid = meta.pid!;

/**
 * A "live" source over a capture whose stat changes once the snapshot has
 * read the process's own files (its cwd link is read after every stat read
 * the snapshot makes), so only the re-read at the end sees the change.
 */
class ChangingSource implements ProcSource {
  readonly kind = 'procfs' as const;
  private armed = false;
  private inner = new FixtureProcSource(DIR);
  constructor(private readonly after: 'reused' | 'gone' | 'same') {}
  get root() {
    return this.inner.root;
  }
  readFile(rel: string, max?: number): Buffer {
    if (rel === `${pid}/stat` && this.armed) {
      if (this.after === 'gone') throw new ProcReadError('ENOENT', rel);
      if (this.after === 'reused') {
        const text = this.inner.readText(rel);
        const f = text.split(' ');
        f[21] = String(Number(f[21]) + 500); // starttime is field 22
        return Buffer.from(f.join(' '));
      }
    }
    return this.inner.readFile(rel, max);
  }
  readText(rel: string, max?: number): string {
    return this.readFile(rel, max).toString('utf8');
  }
  readlink(rel: string): Buffer {
    if (rel === `${pid}/cwd`) this.armed = true;
    return this.inner.readlink(rel);
  }
  readdir(rel: string): string[] {
    return this.inner.readdir(rel);
  }
  statTarget(rel: string): TargetStat {
    return this.inner.statTarget(rel);
  }
  exists(rel: string): boolean {
    return this.inner.exists(rel);
  }
}

function run(after: 'reused' | 'gone' | 'same') {
  return () => auditProcess(new ChangingSource(after), pid, {}, { host: new CaptureHost(meta, DIR) });
}

describe('process identity', () => {
  it('a process that exits during the audit is reported as such, not audited', () => {
    expect(run('gone')).toThrow(DaemonCheckError);
    expect(run('gone')).toThrow(/exited during the audit/);
  });

  it('a pid reused by another process (new start time) is caught', () => {
    expect(run('reused')).toThrow(/reused by another process/);
    try {
      run('reused')();
    } catch (err) {
      expect((err as DaemonCheckError).code).toBe('EXITED_DURING_AUDIT');
      expect((err as DaemonCheckError).exitCode).toBe(3);
    }
  });

  it('an unchanged process gives its report', () => {
    expect(run('same')().pid).toBe(pid);
  });
});

describe('process identity: a garbled re-read', () => {
  it('a stat that no longer parses at the end of the audit is not taken as "the same process"', () => {
    class GarbledSource extends FixtureProcSource {
      private armed = false;
      override readFile(rel: string, max?: number): Buffer {
        if (rel === `${pid}/stat` && this.armed) return Buffer.from('garbage without a comm');
        return super.readFile(rel, max);
      }
      override readlink(rel: string): Buffer {
        if (rel === `${pid}/cwd`) this.armed = true;
        return super.readlink(rel);
      }
    }
    const source = new GarbledSource(DIR);
    Object.defineProperty(source, 'kind', { value: 'procfs' });
    expect(() => auditProcess(source, pid, {}, { host: new CaptureHost(meta, DIR) })).toThrow(
      /exited during the audit|could not be confirmed/,
    );
  });
});
