/**
 * Where watch journals live when no --journal is given: `watch` writes there
 * by default and `postmortem` reads every *.jsonl there (docs/postmortem.md).
 * - $DAEMON_CHECK_JOURNAL_DIR, when set: that folder alone;
 * - else the system's, /var/lib/daemon-check/journal (under --host-root), which root writes
 *   (the FHS's /var/lib: state a program keeps across reboots);
 * - and, for a user other than root, ${XDG_STATE_HOME:-~/.local/state}/daemon-check/journal
 *   (the XDG base directory spec's place for state such as logs and history).
 */
import { join } from 'node:path';

export const JOURNAL_DIR_ENV = 'DAEMON_CHECK_JOURNAL_DIR';
export const SYSTEM_JOURNAL_DIR = '/var/lib/daemon-check/journal';

function userJournalDir(env: NodeJS.ProcessEnv): string | null {
  const state = env.XDG_STATE_HOME || (env.HOME ? join(env.HOME, '.local', 'state') : null);
  return state ? join(state, 'daemon-check', 'journal') : null;
}

/** The folder a watch run by UID writes its journal to when not told where. */
export function defaultJournalDir(env: NodeJS.ProcessEnv, uid: number | null): string {
  if (env[JOURNAL_DIR_ENV]) return env[JOURNAL_DIR_ENV];
  return uid === 0 ? SYSTEM_JOURNAL_DIR : (userJournalDir(env) ?? SYSTEM_JOURNAL_DIR);
}

/** The folders postmortem reads, in order; the system's one under HOSTROOT. */
export function journalDirs(env: NodeJS.ProcessEnv, uid: number | null, hostRoot: string): string[] {
  if (env[JOURNAL_DIR_ENV]) return [env[JOURNAL_DIR_ENV]];
  const system = join(hostRoot, SYSTEM_JOURNAL_DIR);
  const user = uid === 0 ? null : userJournalDir(env);
  return user ? [system, user] : [system];
}
