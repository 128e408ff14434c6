/**
 * Node built-ins loaded on first use. node:tty and node:child_process pull
 * in net and stream (~1 ms each of every run), and an audit printed as JSON
 * needs neither (nor node:os); a static import would load them in every command.
 */
import { createRequire } from 'node:module';

let requireBuiltin: NodeJS.Require | null = null;

export function lazyBuiltin<T>(name: 'node:tty' | 'node:child_process' | 'node:os'): T {
  requireBuiltin ??= createRequire(import.meta.url);
  return requireBuiltin(name) as T;
}
