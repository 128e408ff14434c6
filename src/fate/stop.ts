/**
 * `stop`: someone sends SIGTERM (kill, systemctl stop, docker stop, sv down).
 * The disposition decides; the init of a pid namespace is special: the
 * kernel drops signals whose action is the default, and from the parent
 * namespace only SIGKILL and SIGSTOP are forced (pid_namespaces(7)).
 */
import { processLabel } from '../core/words.js';
import { isForwardingInit } from '../classify.js';
import { SIGNALS } from '../proc/signals.js';
import { isNamespaceInit } from '../proc/status.js';
import type { Snapshot } from '../snapshot/types.js';
import { dispositionOf, waitsForSignal } from './disposition.js';
import { entry } from './types.js';
import type { FateEntry } from '../core/types.js';

function forwarder(snap: Snapshot): FateEntry | null {
  if (!isForwardingInit(snap.stat.comm, snap.cmdline)) return null;
  const child = snap.children.find((c) => c.state !== 'Z');
  const to = child ? `its child ${processLabel(child)}` : 'its child';
  return entry(
    'dies',
    `${snap.stat.comm} takes SIGTERM and forwards it to ${to}, and exits when that child does.`,
    processLabel({ pid: snap.pid, comm: snap.stat.comm }),
    `${to} ignores or survives SIGTERM`,
  );
}

function namespaceInit(snap: Snapshot, waits: string | null): FateEntry {
  const ns = snap.status!.nspid.join(' ');
  const term = dispositionOf(snap.status, SIGNALS.SIGTERM);
  if (term === 'caught')
    return entry(
      'dies',
      `It is the init of its pid namespace (NSpid ${ns}) and catches SIGTERM, so its handler runs; an init's handler normally shuts the namespace down.`,
      null,
      'its SIGTERM handler does not exit',
    );
  if (waits)
    return entry(
      'dies',
      `It is the init of its pid namespace (NSpid ${ns}), and ${waits}, so SIGTERM reaches it.`,
      null,
      'it does not exit when it takes SIGTERM',
    );
  const how =
    term === 'ignored'
      ? 'it ignores SIGTERM'
      : term === 'blocked'
        ? 'it blocks SIGTERM and nothing shows it waiting for it'
        : 'SIGTERM has its default action there';
  return entry(
    'lives',
    `It is the init of its pid namespace (NSpid ${ns}) and ${how}: the kernel drops signals with the default action for a namespace's init (from the parent namespace only SIGKILL and SIGSTOP are forced), so it keeps running; \`docker stop\` waits its timeout (10 s by default) and then sends SIGKILL.`,
    'the kernel',
  );
}

export function stopFate(snap: Snapshot): FateEntry {
  const term = dispositionOf(snap.status, SIGNALS.SIGTERM);
  if (term === 'unknown') return entry('unknown', 'Its signal dispositions (status) could not be read.');
  const waits = waitsForSignal(snap, SIGNALS.SIGTERM);
  const fwd = forwarder(snap);
  if (fwd && (waits || term === 'caught' || isNamespaceInit(snap))) return fwd;
  if (isNamespaceInit(snap)) return namespaceInit(snap, waits);
  switch (term) {
    case 'caught':
      return entry(
        'dies',
        "It catches SIGTERM: its handler runs, and a daemon's handler normally cleans up and exits.",
        null,
        'its SIGTERM handler does not exit',
      );
    case 'ignored':
      return entry('lives', 'It ignores SIGTERM: only SIGKILL stops it.');
    case 'blocked':
      if (waits)
        return entry(
          'dies',
          `It blocks SIGTERM, but ${waits}, so it takes the signal and decides itself.`,
          null,
          'it does not exit when it takes SIGTERM',
        );
      return entry(
        'lives',
        'It blocks SIGTERM and nothing shows it waiting for it: the signal stays pending.',
        null,
        'it unblocks SIGTERM, which then has its default action or its handler',
      );
    default:
      if (waits)
        return entry(
          'dies',
          `SIGTERM has its default action, and ${waits}: it takes the signal and decides itself.`,
          null,
          'it does not exit when it takes SIGTERM',
        );
      return entry(
        'dies',
        'SIGTERM has its default action: it ends at once, without any cleanup (a pidfile or socket stays behind).',
        'the kernel',
      );
  }
}
