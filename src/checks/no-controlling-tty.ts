import { defineCheck, hangupSpared } from './check.js';
import { outcomeClause } from '../fate/clauses.js';

export const noControllingTty = defineCheck({
  id: 'no-controlling-tty',
  title: 'No controlling terminal',
  passWhen: 'no controlling terminal (stat `tty_nr` 0, `tpgid` -1)',
  severity: 'critical',
  rationale:
    "A process with a controlling terminal belongs to that terminal's session: when the terminal hangs up (the SSH connection drops, the window closes) the kernel signals the session's leader, which may pass SIGHUP on, and touching the terminal from the background stops it with SIGTTIN or SIGTTOU. setsid() in a child is what cuts the tie.",
  evidence: '/proc/PID/stat fields 7 and 8: tty_nr is 0 and tpgid is -1 when there is no controlling terminal.',
  fix: 'Start it through a fork + setsid() (daemon-check run -- CMD), or under a service manager.',
  needs: ['stat'],
  messages: {
    none: 'tty_nr 0, tpgid -1',
    terminal: 'controlling terminal {{tty}} (tty_nr {{ttyNr}}, tpgid {{tpgid}}): {{hangup}}',
    foreground:
      "controlling terminal {{tty}} (tty_nr {{ttyNr}}, tpgid {{tpgid}}); its group is the terminal's foreground group: {{hangup}}",
    spared:
      "controlling terminal {{tty}} (tty_nr {{ttyNr}}, tpgid {{tpgid}}): the login's terminal is still its own, and a read from it in the background would stop it (SIGTTIN)",
  },
  evaluate(snap, ctx) {
    const { ttyNr, tpgid } = snap.stat;
    if (ttyNr === 0 && tpgid === -1) {
      return { status: 'pass', observed: 'none', expected: 'none', messageId: 'none' };
    }
    const observed = snap.tty ?? `tty_nr ${ttyNr}`;
    const tty = snap.tty ?? ttyNr;
    // The risk is the hangup: where the fate model says it spares the process, the tie is a warning (docs/checklist.md).
    if (hangupSpared(ctx) && tpgid !== snap.stat.pgrp)
      return { status: 'warn', observed, expected: 'none', messageId: 'spared', data: { tty, ttyNr, tpgid } };
    return {
      status: 'fail',
      observed,
      expected: 'none',
      messageId: tpgid === snap.stat.pgrp ? 'foreground' : 'terminal',
      data: { tty, ttyNr, tpgid, hangup: outcomeClause('hangup', ctx.fate.hangup) },
    };
  },
});
