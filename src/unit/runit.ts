/**
 * A runit run script (runsv(8), chpst(8)): runsv starts ./run from the
 * service directory and restarts it when it exits, so the script sets the
 * working directory and umask itself and execs the program in the foreground,
 * with chpst for the user.
 */
import { shellQuote } from '../diagnose/command.js';
import { envLines, type ServiceSpec } from './spec.js';

export function renderRunit(spec: ServiceSpec, header: string[]): string {
  const out = ['#!/bin/sh', ...header.map((h) => `# ${h}`), ...spec.notes.map((n) => `# NOTE: ${n}`)];
  out.push(
    `# Install: mkdir -p /etc/sv/${spec.name} && save this as /etc/sv/${spec.name}/run && chmod +x it && ln -s /etc/sv/${spec.name} /etc/service/`,
  );
  if (spec.type === 'forking')
    out.push(
      '# runsv needs the program in the foreground; this one has no foreground mode, so runsv sees it exit at once.',
    );
  out.push('exec 2>&1');
  if (spec.cwd) out.push(`cd ${shellQuote(spec.cwd)} || exit 1`);
  if (spec.umask) out.push(`umask ${spec.umask}`);
  out.push(...envLines(spec, `/etc/sv/${spec.name}/secret.env`));
  const user =
    spec.user && spec.user !== 'root' && spec.user !== '0'
      ? `chpst -u ${shellQuote(`${spec.user}${spec.group ? `:${spec.group}` : ''}`)} `
      : '';
  out.push(
    spec.argv ? `exec ${user}${spec.argv.map(shellQuote).join(' ')}` : '# exec ... (the executable could not be read)',
  );
  return out.join('\n') + '\n';
}
