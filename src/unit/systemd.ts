/** A systemd service unit (systemd.service(5), systemd.exec(5)) for a ServiceSpec. */
import { copyCommand, envComments } from './environment.js';
import type { ServiceSpec } from './spec.js';

/**
 * One word of ExecStart= (systemd.service(5), "Command lines"): % starts a
 * specifier and $ a variable, so both are doubled; words with spaces, quotes
 * or backslashes are double-quoted with C-style escapes.
 */
export function systemdWord(w: string): string {
  const s = w.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  if (s !== '' && /^[A-Za-z0-9_@+=:,./%$-]+$/.test(s)) return s;
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * An Environment= assignment, quoted as a whole. systemd.exec(5): specifiers
 * are expanded there (% doubled) but variables are not ($ kept as it is).
 */
function envLine(name: string, value: string): string {
  const s = `${name}=${value}`.replace(/%/g, '%%');
  if (/^[A-Za-z0-9_@+=:,./%$-]+$/.test(s)) return `Environment=${s}`;
  return `Environment="${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export function renderSystemd(spec: ServiceSpec, header: string[]): string {
  const out = [...header.map((h) => `# ${h}`), ...spec.notes.map((n) => `# NOTE: ${n}`)];
  out.push(
    '[Unit]',
    `Description=${spec.title} (service definition made by daemon-check unit)`,
    'After=network.target',
    '',
  );
  out.push('[Service]', `Type=${spec.type}`);
  if (spec.type === 'forking')
    out.push(spec.pidfile ? `PIDFile=${spec.pidfile}` : '# PIDFile= the path the program writes its pid to');
  out.push(
    spec.argv
      ? `ExecStart=${spec.argv.map(systemdWord).join(' ')}`
      : '# ExecStart= unknown: the executable could not be read',
  );
  // WorkingDirectory= expands specifiers (systemd.unit(5)): a % is doubled.
  if (spec.cwd) out.push(`WorkingDirectory=${spec.cwd.replace(/%/g, '%%')}`);
  if (spec.user) out.push(`User=${spec.user}`);
  if (spec.group) out.push(`Group=${spec.group}`);
  if (spec.umask) out.push(`UMask=${spec.umask}`);
  for (const e of spec.env) if (e.value !== null && !e.secret) out.push(envLine(e.name, e.value));
  const secrets = spec.env.filter((e) => e.value !== null && e.secret).map((e) => e.name);
  if (secrets.length) {
    // A unit file is world-readable (systemd.exec(5) warns against secrets in Environment=): a root-only file instead.
    const file = `/etc/default/${spec.name}`;
    out.push(
      `# ${secrets.join(' ')}: secrets, not written in this world-readable unit; made by: ${copyCommand(spec.pid, secrets, file)}`,
      `EnvironmentFile=${file}`,
    );
  }
  out.push(...envComments(spec.env, spec.sessionEnv, '#'));
  out.push('Restart=on-failure', '', '[Install]', 'WantedBy=multi-user.target');
  return out.join('\n') + '\n';
}
