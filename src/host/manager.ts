/**
 * The service manager in charge of a host: systemd (sd_booted: /run/systemd/system),
 * OpenRC (/run/openrc/softlevel, written when OpenRC boots), runit (runit as pid 1), s6
 * (s6-svscan as pid 1), a container's init (tini, dumb-init, docker-init, a
 * shell as pid 1, /.dockerenv), or none. Remediation gives the fix for the
 * manager in charge, never a systemd unit on a host without systemd.
 */
import type { HostFacts } from './host-facts.js';
import { CONTAINER_INIT_NAMES } from '../knowledge/kinds.js';

export type ManagerKind = 'systemd' | 'openrc' | 'runit' | 's6' | 'container' | 'none';

export interface ServiceManager {
  kind: ManagerKind;
  /** What says so: "/run/systemd/system exists", "pid 1 is tini". */
  evidence: string;
}

/** `init`: pid 1's comm, when it could be read. */
export function detectManager(host: HostFacts | null, init: string | null): ServiceManager {
  const m = host?.markers ?? {};
  if (host?.systemdPid1) return { kind: 'systemd', evidence: 'systemd runs this host (/run/systemd/system exists)' };
  // Installing runit creates /run/runit and /etc/runit without making it the init: only pid 1 tells.
  if (init === 'runit' || init === 'runit-init') return { kind: 'runit', evidence: `pid 1 is ${init}` };
  if (init === 's6-svscan' && !m['.dockerenv'] && !m['run/.containerenv'])
    return { kind: 's6', evidence: 'pid 1 is s6-svscan' };
  if (m['run/openrc/softlevel']) return { kind: 'openrc', evidence: '/run/openrc/softlevel exists' };
  const marker = m['.dockerenv'] ? '/.dockerenv' : m['run/.containerenv'] ? '/run/.containerenv' : null;
  if (init && CONTAINER_INIT_NAMES.has(init)) {
    return {
      kind: 'container',
      evidence: `pid 1 is ${init}, a container's init${marker ? `, and ${marker} exists` : ''}`,
    };
  }
  // A container whose pid 1 is its own program (or a sandbox's agent) has nothing that starts or restarts
  // other jobs: a job started in it is as on a host with no manager, and `docker run --init` would not change that.
  if (marker) {
    return {
      kind: 'none',
      evidence: `No service manager runs this container (${marker} exists, and pid 1 is ${init ?? 'unreadable'}, its own program, not an init)`,
    };
  }
  return {
    kind: 'none',
    evidence: `No service manager runs this host (pid 1 is ${init ?? 'unreadable'}, and there is no /run/systemd/system or /run/openrc/softlevel)`,
  };
}
