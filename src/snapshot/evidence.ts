/** Collects why facts could not be read (errno per fact) and where reads were capped. */
import { errnoOf } from '../core/errors.js';
import { NOT_READ } from './types.js';

export class Evidence {
  readonly unreadable: Record<string, string> = {};
  readonly limits: string[] = [];

  /** f(), or null with its errno recorded under `fact`. */
  read<T>(fact: string, f: () => T): T | null {
    try {
      return f();
    } catch (err) {
      this.unreadable[fact] = errnoOf(err);
      return null;
    }
  }

  /** A fact the read plan leaves out on purpose (plan.ts: 'scan-table'). */
  notRead<T>(fact: string): T | null {
    this.unreadable[fact] = NOT_READ;
    return null;
  }

  missing(fact: string, errno: string): void {
    this.unreadable[fact] = errno;
  }

  limit(note: string | null | false): void {
    if (note) this.limits.push(note);
  }
}
