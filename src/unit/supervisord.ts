/**
 * A supervisord [program:x] section (supervisord.conf(5), "[program:x]
 * Section Settings"): command is split like a shell would, and %(...)s
 * expands, so a literal % is doubled.
 */
import { shellQuote } from '../diagnose/command.js';
import { envComments } from './environment.js';
import type { ServiceSpec } from './spec.js';

const pct = (s: string): string => s.replace(/%/g, '%%');

/** environment=KEY="val",KEY2="val2": values double-quoted, " and \\ escaped. */
function envValue(v: string): string {
  return `"${pct(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function renderSupervisord(spec: ServiceSpec, header: string[]): string {
  const out = [...header.map((h) => `; ${h}`), ...spec.notes.map((n) => `; NOTE: ${n}`)];
  out.push(
    `; Install: save this in /etc/supervisor/conf.d/${spec.name}.conf, then supervisorctl reread && supervisorctl update`,
  );
  if (spec.type === 'forking')
    out.push(
      '; supervisord needs the program in the foreground; this one has no foreground mode, so supervisord sees it exit at once.',
    );
  out.push(`[program:${spec.name}]`);
  out.push(
    spec.argv
      ? `command=${pct(spec.argv.map(shellQuote).join(' '))}`
      : '; command= unknown: the executable could not be read',
  );
  if (spec.cwd) out.push(`directory=${pct(spec.cwd)}`);
  if (spec.user) out.push(`user=${spec.user}`);
  if (spec.umask) out.push(`umask=${spec.umask.replace(/^0(?=\d{3})/, '')}`);
  const withValues = spec.env.filter((e) => e.value !== null && !e.secret);
  if (withValues.length) out.push(`environment=${withValues.map((e) => `${e.name}=${envValue(e.value!)}`).join(',')}`);
  const secrets = spec.env.filter((e) => e.value !== null && e.secret).map((e) => e.name);
  // supervisord reads no environment file: a secret goes in environment= only once this file is root-only.
  if (secrets.length)
    out.push(
      `; ${secrets.join(' ')}: secrets, not written in this world-readable file; chmod 600 it, then add them to environment= (their values: tr '\\0' '\\n' < /proc/${spec.pid}/environ)`,
    );
  out.push(...envComments(spec.env, spec.sessionEnv, ';'));
  out.push('autostart=true', 'autorestart=true', 'stopsignal=TERM', 'redirect_stderr=true');
  return out.join('\n') + '\n';
}
