import { processLabel } from '../core/words.js';
import { defineCheck } from './check.js';

export const reapsChildren = defineCheck({
  id: 'reaps-children',
  title: 'Reaps its children',
  passWhen: 'no zombie children',
  severity: 'warning',
  rationale:
    'A child that exits stays a zombie, holding its pid and process-table slot, until its parent calls wait(). A daemon that forks workers or helpers and never reaps them fills the table over weeks.',
  evidence: 'state and ppid in every /proc/*/stat.',
  fix: 'Handle SIGCHLD and call waitpid(-1, &status, WNOHANG) in a loop (or set SIGCHLD to SIG_IGN if exit statuses are never needed).',
  fixedBy: 'program',
  needs: ['children'],
  messages: {
    noZombies: 'no child is waiting to be reaped',
    zombies: 'zombie children not reaped: {{zombies}}',
  },
  evaluate(snap) {
    const zombies = snap.children.filter((c) => c.state === 'Z');
    if (zombies.length === 0) {
      return {
        status: 'pass',
        observed: `${snap.children.length} children, no zombies`,
        expected: 'no zombie children',
        messageId: 'noZombies',
      };
    }
    const list = zombies
      .slice(0, 10)
      .map((z) => processLabel(z))
      .join(', ');
    return {
      status: 'warn',
      observed: `${zombies.length} zombie(s)`,
      expected: 'no zombie children',
      messageId: 'zombies',
      data: { zombies: `${list}${zombies.length > 10 ? ', ...' : ''}` },
    };
  },
});
