/** `daemon-check capture <pid> --out DIR`. */
import { writeOut } from './output.js';
import { captureProcess } from '../capture.js';
import { openProcSource } from '../proc/source.js';
import { parsePid, readPidMax } from '../target.js';
import { CliError } from './errors.js';
import { parseHostRoot } from './common.js';

export interface CaptureOptions {
  out?: string;
  procRoot: string;
  hostRoot: string;
  pidfile?: string;
}

export function runCapture(pidText: string, opts: CaptureOptions): number {
  if (!opts.out)
    throw new CliError('capture needs --out DIR, a new folder for the fixture tree (e.g. --out ./capture-1234)');
  const source = openProcSource(opts.procRoot);
  if (source.kind !== 'procfs')
    throw new CliError('capture reads a live procfs; --proc-root points at a capture already', 2);
  const pid = parsePid(pidText, () => readPidMax(source), false);
  const res = captureProcess(source, pid, opts.out, { pidfile: opts.pidfile, hostRoot: parseHostRoot(opts.hostRoot) });
  writeOut(
    `captured pid ${res.pid} (${res.comm}) into ${res.dir}: ${res.files} files; replay with: daemon-check ${res.pid} --proc-root ${res.dir}\n`,
  );
  return 0;
}
