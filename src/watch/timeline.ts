/**
 * The stream of a watch made ready for the story (the reader has folded each
 * `deliver` into its signal as `disposition`): every signal marked with what was known of its
 * target and sender when it was sent (their session and process group), from
 * /proc at the start and the fork, exec and setsid events since. Pure: no I/O.
 */
import type { ProcessRef, SignalEvent, WatchEvent } from './events.js';

/** What the command read of a process in /proc when the watch began; all but pid and comm may be unknown. */
export interface KnownProcess {
  pid: number;
  comm: string;
  ppid?: number;
  pgid?: number;
  sid?: number;
}

/** A signal event, with where it stood. */
export interface PlacedSignal {
  index: number;
  event: SignalEvent;
  /** The target's session id and process group when it was sent, where known. */
  targetSid: number | undefined;
  targetPgid: number | undefined;
  /** What was known of the sender then (its comm from the event). */
  sender: KnownProcess | null;
}

export interface Timeline {
  events: readonly WatchEvent[];
  signals: PlacedSignal[];
  /** Every pid the watch named as watched, in the order it named them. */
  watched: number[];
  /** The last comm seen for each pid. */
  comms: Map<number, string>;
}

function addWatched(list: number[], pid: number): void {
  if (!list.includes(pid)) list.push(pid);
}

/** Applies one event to the table of processes; returns nothing, the table is the state. */
function apply(procs: Map<number, KnownProcess>, e: WatchEvent, watched: number[]): void {
  switch (e.kind) {
    case 'start':
      for (const pid of e.watched) addWatched(watched, pid);
      return;
    case 'watching':
      addWatched(watched, e.pid);
      procs.set(e.pid, { ...procs.get(e.pid), pid: e.pid, comm: e.comm });
      return;
    case 'fork': {
      const parent = procs.get(e.pid);
      procs.set(e.child, { pid: e.child, comm: e.comm, ppid: e.pid, pgid: parent?.pgid, sid: parent?.sid });
      return;
    }
    case 'exec':
    case 'comm':
      procs.set(e.pid, { ...procs.get(e.pid), pid: e.pid, comm: e.comm });
      return;
    case 'setsid':
      procs.set(e.pid, { ...(procs.get(e.pid) ?? { pid: e.pid, comm: '?' }), sid: e.sid, pgid: e.sid });
      return;
    default:
      return;
  }
}

function senderOf(procs: Map<number, KnownProcess>, ref: ProcessRef | null): KnownProcess | null {
  if (!ref) return null;
  return { ...procs.get(ref.pid), pid: ref.pid, comm: ref.comm };
}

export function buildTimeline(
  events: readonly WatchEvent[],
  watched: readonly number[],
  known: ReadonlyMap<number, KnownProcess>,
): Timeline {
  const procs = new Map<number, KnownProcess>([...known].map(([pid, p]) => [pid, { ...p }]));
  const list = [...watched];
  const signals: PlacedSignal[] = [];
  const out = events.map((e, index) => {
    if (e.kind !== 'signal') {
      apply(procs, e, list);
      return e;
    }
    const event: SignalEvent = e;
    const target = procs.get(e.pid);
    signals.push({
      index,
      event,
      targetSid: target?.sid,
      targetPgid: target?.pgid,
      sender: senderOf(procs, e.sender),
    });
    return event;
  });
  const comms = new Map([...procs].map(([pid, p]) => [pid, p.comm]));
  return { events: out, signals, watched: list, comms };
}

/** Whether the signal went on to act with its default action: queued, and neither ignored nor caught. */
export function tookEffect(s: SignalEvent): boolean {
  // 'pending': one of the same signal was already queued, and that one is the one that acts.
  if (s.result !== 'delivered' && s.result !== 'lost-info') return false;
  return s.disposition !== 'caught' && s.disposition !== 'ignored' && s.disposition !== 'stopped';
}
