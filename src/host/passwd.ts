/** /etc/passwd: uid <-> user name, for reports and for `--user NAME`. */
import { DaemonCheckError } from '../core/errors.js';

/** uid -> name; the first line for a uid wins, as getpwuid does. */
export function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3) continue;
    const uid = Number(f[2]);
    if (f[2] !== '' && Number.isSafeInteger(uid) && !users.has(uid)) users.set(uid, f[0]!);
  }
  return users;
}

/** A user name -> uid, or null. */
function uidOf(users: ReadonlyMap<number, string>, name: string): number | null {
  for (const [uid, n] of users) if (n === name) return uid;
  return null;
}

/**
 * "1000", "alice" or 1000 -> a uid. `users` is the host's passwd table. A
 * name that is not in it is a usage error naming the fix.
 */
export function resolveUser(user: string | number, users: ReadonlyMap<number, string>): number {
  if (typeof user === 'number') {
    if (Number.isSafeInteger(user) && user >= 0) return user;
  } else if (/^\d+$/.test(user)) {
    return Number(user);
  } else {
    const uid = uidOf(users, user);
    if (uid !== null) return uid;
  }
  throw new DaemonCheckError(
    'INVALID_ARGUMENT',
    `user '${user}' is not a user on this machine: give a name from /etc/passwd or a numeric uid`,
  );
}
