/**
 * An OpenRC service script (openrc-run(8)): command_background lets
 * start-stop-daemon put a foreground program in the background and write its
 * pidfile, the way OpenRC runs programs without a daemon mode of their own.
 */
import { shellQuote } from '../diagnose/command.js';
import { envLines, type ServiceSpec } from './spec.js';

export function renderOpenrc(spec: ServiceSpec, header: string[]): string {
  const out = ['#!/sbin/openrc-run', ...header.map((h) => `# ${h}`), ...spec.notes.map((n) => `# NOTE: ${n}`)];
  out.push(`# Install: save this as /etc/init.d/${spec.name}, chmod +x it, then rc-update add ${spec.name} default`);
  out.push(`description=${shellQuote(`${spec.title}, made by daemon-check unit`)}`);
  if (spec.argv) {
    out.push(`command=${shellQuote(spec.argv[0]!)}`);
    if (spec.argv.length > 1) out.push(`command_args=${shellQuote(spec.argv.slice(1).map(shellQuote).join(' '))}`);
  } else {
    out.push('# command= unknown: the executable could not be read');
  }
  if (spec.type === 'forking')
    out.push(
      spec.pidfile ? `pidfile=${shellQuote(spec.pidfile)}` : '# pidfile= the path the program writes its pid to',
    );
  else out.push('command_background=true', 'pidfile="/run/${RC_SVCNAME}.pid"');
  if (spec.cwd) out.push(`directory=${shellQuote(spec.cwd)}`);
  if (spec.user) out.push(`command_user=${shellQuote(`${spec.user}${spec.group ? `:${spec.group}` : ''}`)}`);
  if (spec.umask) out.push(`umask=${spec.umask}`);
  out.push(...envLines(spec, `/etc/conf.d/${spec.name}.secret`));
  return out.join('\n') + '\n';
}
