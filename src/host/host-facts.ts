/**
 * The host facts the fate model needs beyond /proc: whether systemd is pid 1
 * (sd_booted's test, /run/systemd/system), logind's kill settings, and the
 * lingering users. Read once per run through a HostFiles source, so a
 * capture records them and a replay reads them back.
 */
import { errnoOf } from '../core/errors.js';
import type { HostFiles } from './files.js';
import { readLinger, readLogindConf, systemdIsPid1, type LogindConf } from './logind.js';

export interface HostFacts {
  /** The host root read ('/' live, or a capture's host folder). */
  root: string;
  /** null: the test itself failed (the reason is in `unreadable`). */
  systemdPid1: boolean | null;
  logind: LogindConf;
  /** Lingering users; null when /var/lib/systemd/linger is missing or unreadable. */
  linger: string[] | null;
  /** Host paths that mark an init system or a container, and whether each exists (manager.ts reads them). */
  markers: Record<string, boolean>;
  /** Fact name -> errno, for host facts that could not be read. */
  unreadable: Record<string, string>;
}

export function readHostFacts(files: HostFiles): HostFacts {
  const unreadable: Record<string, string> = {};
  let booted: boolean | null = null;
  try {
    booted = systemdIsPid1(files);
  } catch (err) {
    unreadable.systemd = errnoOf(err);
  }
  if (booted === null && !unreadable.systemd) unreadable.systemd = 'EACCES';
  const linger = readLinger(files);
  if (linger.error) unreadable.linger = linger.error;
  return {
    root: files.root || '/',
    systemdPid1: booted,
    logind: readLogindConf(files),
    linger: linger.users,
    markers: readMarkers(files),
    unreadable,
  };
}

/** Files whose presence says which init system runs the host, or that it is a container. */
export const MARKERS = ['run/openrc/softlevel', '.dockerenv', 'run/.containerenv'] as const;

function readMarkers(files: HostFiles): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const m of MARKERS) {
    try {
      files.statTarget(m);
      out[m] = true;
    } catch {
      out[m] = false;
    }
  }
  return out;
}
