// Ctrl-C and SIGTERM: the signal handlers only set a flag; the measuring
// loops check it between runs and unwind through their `finally` blocks,
// which kill what they started.
export const abort = { signal: null, listeners: new Set() };

export class Aborted extends Error {
  constructor(signal) {
    super(`interrupted by ${signal}`);
    this.name = 'Aborted';
  }
}

export function checkAbort() {
  if (abort.signal) throw new Aborted(abort.signal);
}

export function requestAbort(signal) {
  if (abort.signal) return;
  abort.signal = signal;
  for (const fn of abort.listeners) fn(signal);
}

/** Resolves like `promise`, but rejects with Aborted as soon as an abort is requested. */
export function unlessAborted(promise) {
  if (abort.signal) return Promise.reject(new Aborted(abort.signal));
  let fn;
  const stop = new Promise((_, reject) => {
    fn = (sig) => reject(new Aborted(sig));
    abort.listeners.add(fn);
  });
  return Promise.race([promise, stop]).finally(() => abort.listeners.delete(fn));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** True when `promise` settles within ms, false otherwise; the timer never outlives it. */
export function within(promise, ms) {
  let timer;
  const late = new Promise((r) => (timer = setTimeout(r, ms, false)));
  return Promise.race([promise.then(() => true), late]).finally(() => clearTimeout(timer));
}

/** A failure to explain in one message, without a stack. */
export class HarnessError extends Error {}
