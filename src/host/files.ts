/**
 * Files outside /proc (logind.conf, the linger directory, /run/systemd) are
 * read through the same kind of source as /proc: a live root, or the `host/`
 * folder of a capture, with the same errno sidecars. Paths are relative to
 * the host root ("etc/systemd/logind.conf"), so `--host-root /host` reads a
 * container host's files and a replay reads what was captured.
 */
import { join, resolve } from 'node:path';
import { FixtureProcSource, LiveProcSource, type ProcSource } from '../proc/source.js';

export type HostFiles = ProcSource;

/** A live host root ('/' or a mount of one). */
export function liveHostFiles(root = '/'): HostFiles {
  const resolved = resolve(root);
  return new LiveProcSource(resolved === '/' ? '' : resolved);
}

/** The host files a capture recorded (its `host/` folder next to `proc/`). */
export function capturedHostFiles(captureProcDir: string): HostFiles {
  return new FixtureProcSource(join(captureProcDir, '..', 'host'));
}

/** A host path ("/etc/x") as a path relative to the root ("etc/x"). */
export function hostRel(p: string): string {
  return p.replace(/^\/+/, '');
}
