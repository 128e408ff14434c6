/** clean-environment: no interactive-session leftovers; LD_* worth a warning (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, runCheck } from '../../helpers/check.js';
import { makeSnapshot } from '../../helpers/snapshot.js';

const ID = 'clean-environment';

function withEnv(vars: Record<string, string>) {
  return makeSnapshot({ environ: new Map(Object.entries(vars)) });
}

describe(ID, () => {
  describe('valid', () => {
    it('passes a plain service environment, counting the variables', () => {
      const { row, messageId } = checkMessage(ID, withEnv({ PATH: '/usr/bin', LANG: 'C.UTF-8', HOME: '/' }));
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'info',
        observed: '3 variables, none from a session',
        expected: 'no session variables',
      });
      expect(messageId).toBe('clean');
    });

    it('passes an empty environment', () => {
      expect(runCheck(ID, withEnv({})).observed).toBe('0 variables, none from a session');
    });
  });

  describe('invalid', () => {
    it('is info for SSH, DISPLAY, SUDO, OLDPWD and TMUX leftovers, naming them', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        withEnv({
          PATH: '/usr/bin',
          SSH_CONNECTION: '1 2 3 4',
          DISPLAY: ':0',
          SUDO_USER: 'alice',
          OLDPWD: '/home/alice',
          TMUX: '/tmp/tmux-1000/default,1,0',
        }),
      );
      expect(row.status).toBe('info');
      expect(row.severity).toBe('info');
      expect(row.observed).toBe('SSH_CONNECTION DISPLAY SUDO_USER OLDPWD TMUX');
      expect({ messageId, data }).toEqual({
        messageId: 'leftovers',
        data: { leftovers: 'SSH_CONNECTION, DISPLAY, SUDO_USER, OLDPWD, TMUX' },
      });
    });

    it('warns (and raises the row to warning) on LD_PRELOAD', () => {
      const { row, messageId, data } = checkMessage(ID, withEnv({ PATH: '/usr/bin', LD_PRELOAD: '/tmp/hook.so' }));
      expect(row).toMatchObject({ status: 'warn', severity: 'warning', observed: 'LD_PRELOAD' });
      expect({ messageId, data }).toEqual({ messageId: 'loader', data: { loader: 'LD_PRELOAD' } });
    });

    it('warns on LD_LIBRARY_PATH and LD_AUDIT, and adds any session leftovers', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        withEnv({ LD_LIBRARY_PATH: '/opt/lib', LD_AUDIT: 'x.so', SSH_TTY: '/dev/pts/0' }),
      );
      expect(row.status).toBe('warn');
      expect(row.observed).toBe('LD_LIBRARY_PATH LD_AUDIT SSH_TTY');
      expect({ messageId, data }).toEqual({
        messageId: 'loaderAndLeftovers',
        data: { loader: 'LD_LIBRARY_PATH, LD_AUDIT', leftovers: 'SSH_TTY' },
      });
    });
  });

  describe('unknown', () => {
    it("is unknown, never pass, when environ could not be read (another user's process)", () => {
      const { row, messageId, data } = checkMessage(
        ID,
        makeSnapshot({ environ: null, unreadable: { environ: 'EACCES' }, auditorUid: 1000 }),
      );
      expect(row.status).toBe('unknown');
      expect(row.observed).toBe('environ unreadable (EACCES)');
      expect(messageId).toBe('unreadable');
      expect(data.fact).toBe('environ');
      expect(data.reason).toMatch(/^permission denied \(another user's process/);
    });

    it('keeps its info severity when unknown', () => {
      expect(runCheck(ID, makeSnapshot({ environ: null, unreadable: { environ: 'ESRCH' } })).severity).toBe('info');
    });
  });

  describe('edge cases', () => {
    it('matches whole names only: MY_DISPLAY, SSH_ and LD_PRELOAD_X are not leftovers', () => {
      const row = runCheck(ID, withEnv({ MY_DISPLAY: '1', SSH_: '1', LD_PRELOAD_X: '1', XDISPLAY: '1' }));
      expect(row.status).toBe('pass');
    });

    it('knows the multiplexer and desktop leftovers (STY, TMUX_PANE, WAYLAND_DISPLAY, XDG_SESSION_ID, WINDOWID)', () => {
      const row = runCheck(
        ID,
        withEnv({ STY: '1.pts-0', TMUX_PANE: '%1', WAYLAND_DISPLAY: 'wayland-0', XDG_SESSION_ID: '3', WINDOWID: '1' }),
      );
      expect(row.status).toBe('info');
      expect(row.observed).toBe('STY TMUX_PANE WAYLAND_DISPLAY XDG_SESSION_ID WINDOWID');
    });

    it('an empty LD_PRELOAD still warns (the name is set)', () => {
      expect(runCheck(ID, withEnv({ LD_PRELOAD: '' })).status).toBe('warn');
    });
  });
});
