/**
 * Where each launch setting lives under each way of running a program: the
 * fix for a check row under the manager in charge, so a supervised service is
 * told its supervisor's own setting, never to fork or chdir itself.
 */
import type { CheckId } from '../checks/index.js';

export type Runner =
  'systemd' | 'supervisord' | 'runit' | 's6' | 'pm2' | 'openrc' | 'container' | 'supervisor' | 'itself';

/** The setting for each launch check, per runner; a check missing here needs no setting there. */
export const SETTINGS: Record<Runner, Partial<Record<CheckId, string>>> = {
  systemd: {
    cwd: 'WorkingDirectory=/ in the unit',
    umask: 'UMask=0022 (or the mask it needs) in the unit',
    privileges: 'User= and Group= in the unit (or DynamicUser=yes)',
    'clean-environment': 'Environment= (or EnvironmentFile=) in the unit, nothing inherited from a login',
    'no-leaked-fds': 'nothing: systemd starts it with fds 0-2 only (plus the sockets it passes on purpose)',
  },
  supervisord: {
    cwd: 'directory=/ in its [program:x] section',
    umask: 'umask=022 in its [program:x] section',
    privileges: 'user=NAME in its [program:x] section',
    'clean-environment':
      'environment=KEY="value",... in its [program:x] section, and start supervisord itself from a unit, not from a login',
    'no-leaked-fds': 'start supervisord itself cleanly (it passes its own leftovers on to what it runs)',
  },
  runit: {
    cwd: 'cd / before the exec in its run script (runsv starts it in the service directory by design)',
    umask: 'umask 022 before the exec in its run script',
    privileges: 'exec chpst -u USER:GROUP PROGRAM in its run script',
    'clean-environment': 'chpst -e ENVDIR in its run script (or env -i), nothing inherited from a login',
    'no-leaked-fds': 'start runsvdir itself cleanly: runsv passes its own leftovers on to what it runs',
  },
  s6: {
    cwd: 'cd / before the exec in its run script',
    umask: 'umask 022 before the exec in its run script',
    privileges: 's6-setuidgid USER PROGRAM in its run script',
    'clean-environment': 's6-envdir ENVDIR in its run script',
  },
  pm2: {
    cwd: 'pm2 start --cwd / (or cwd in its ecosystem file)',
    privileges: 'pm2 start --uid USER --gid GROUP (or run pm2 itself as that user)',
    'clean-environment': 'env in its ecosystem file, and start pm2 from a unit (pm2 startup), not from a login',
  },
  openrc: {
    cwd: 'directory=/ in its init script',
    umask: 'umask=022 in its init script',
    privileges: 'command_user="USER:GROUP" in its init script',
  },
  /** A supervisor, multiplexer or init of its own: it is meant to run as it does, no launch setting applies. */
  itself: {},
  supervisor: {
    cwd: "the working directory setting of its supervisor's entry for it",
    umask: "the umask setting of its supervisor's entry for it",
    privileges: "the user setting of its supervisor's entry for it",
    'clean-environment': "the environment setting of its supervisor's entry for it",
  },
  container: {
    cwd: 'WORKDIR / in the image (or docker run -w /)',
    privileges: 'USER in the image (or docker run -u USER)',
    'clean-environment': 'ENV in the image (or docker run -e)',
    'init-duties':
      'docker run --init (or tini as the entrypoint: ENTRYPOINT ["tini", "--"]) so that an init takes SIGTERM and reaps orphans',
  },
};

/** The runner a supervisor's name stands for. */
export function runnerOf(supervisor: string): Runner | null {
  if (supervisor === 'systemd') return 'systemd';
  if (supervisor === 'supervisord') return 'supervisord';
  if (supervisor === 'runsv' || supervisor === 'runsvdir' || supervisor === 'runit') return 'runit';
  if (supervisor.startsWith('s6-')) return 's6';
  if (/^(pm2|PM2)/.test(supervisor)) return 'pm2';
  if (/^(tini|tini-static|dumb-init|docker-init|catatonit|containerd-shim.*|conmon|runc|crun)$/.test(supervisor))
    return 'container';
  return null;
}
