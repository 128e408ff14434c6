import { defineCheck, unknownBecause } from './check.js';

const LEFTOVER = /^(SSH_\w+|DISPLAY|WAYLAND_DISPLAY|SUDO_\w+|OLDPWD|TMUX|TMUX_PANE|STY|XDG_SESSION_ID|WINDOWID)$/;
const LOADER = /^(LD_PRELOAD|LD_LIBRARY_PATH|LD_AUDIT)$/;

export const cleanEnvironment = defineCheck({
  id: 'clean-environment',
  title: 'Environment free of session leftovers',
  passWhen: 'no `SSH_*`, `DISPLAY`, `SUDO_*`, `TMUX` leftovers; `LD_PRELOAD` warns',
  severity: 'info',
  rationale:
    "The exec-time environment shows where a process came from: SSH_*, DISPLAY, TMUX and SUDO_* mean it was started by hand from someone's session and will behave differently when started at boot. LD_PRELOAD and LD_LIBRARY_PATH change which code runs.",
  evidence: '/proc/PID/environ (readable for the same user or root; it shows the environment at exec time).',
  fix: "Start it with an explicit environment (daemon-check run --clear-env --env K=V, or a unit's Environment=).",
  needs: ['environ'],
  messages: {
    loader: '{{loader}} set: it runs code the binary did not ask for',
    loaderAndLeftovers: '{{loader}} set: it runs code the binary did not ask for; also {{leftovers}}',
    leftovers: 'started from an interactive session: {{leftovers}}',
    clean: 'no interactive-session variables',
  },
  evaluate(snap) {
    if (!snap.environ) return unknownBecause(snap, 'environ', 'no session variables');
    const keys = [...snap.environ.keys()];
    const leftovers = keys.filter((k) => LEFTOVER.test(k));
    const loader = keys.filter((k) => LOADER.test(k));
    if (loader.length) {
      return {
        status: 'warn',
        severity: 'warning',
        observed: loader.concat(leftovers).join(' '),
        expected: 'no session variables',
        ...(leftovers.length
          ? ({
              messageId: 'loaderAndLeftovers',
              data: { loader: loader.join(', '), leftovers: leftovers.join(', ') },
            } as const)
          : ({ messageId: 'loader', data: { loader: loader.join(', ') } } as const)),
      };
    }
    if (leftovers.length) {
      return {
        status: 'info',
        observed: leftovers.join(' '),
        expected: 'no session variables',
        messageId: 'leftovers',
        data: { leftovers: leftovers.join(', ') },
      };
    }
    return {
      status: 'pass',
      observed: `${keys.length} variables, none from a session`,
      expected: 'no session variables',
      messageId: 'clean',
    };
  },
});
