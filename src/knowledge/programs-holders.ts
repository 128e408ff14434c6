/**
 * Knowledge rows: programs that hold other programs' sessions: the terminal
 * multiplexers, and the container inits that run as a container's pid 1 and
 * forward signals to their one child.
 */
import { ALREADY_FOREGROUND, letters, opt } from './rule.js';
import type { ProgramInfo } from './types.js';

export const HOLDER_PROGRAMS: readonly ProgramInfo[] = [
  {
    id: 'tmux',
    names: ['tmux'],
    role: 'multiplexer',
    daemonizesByDefault: true,
    stayFlags: [opt('-D')],
    foreground: null,
    readiness: 'simple',
    source: 'https://man.openbsd.org/tmux.1',
    notes:
      "The server names itself 'tmux: server' (comm) and keeps the client's argv. tmux -D (3.2+) runs the server in the foreground but takes no command, so no command line is rewritten. Checked here with tmux 3.3a.",
  },
  {
    id: 'screen',
    names: ['screen', 'SCREEN'],
    role: 'multiplexer',
    daemonizesByDefault: true,
    detachFlags: [letters('dm')],
    stayFlags: [letters('Dm')],
    optionsWithValue: ['-c', '-e', '-h', '-p', '-s', '-S', '-T', '-t', '-X', '-Logfile'],
    foreground: { swapLetters: ['d', 'D'], add: ['-Dm'] },
    readiness: 'simple',
    source: 'https://www.gnu.org/software/screen/manual/screen.html#Invoking-Screen',
    notes:
      "The session server shows argv[0] 'SCREEN' (comm 'screen') and forks away from its client; -D -m starts a session without forking (checked here: screen -DmS stays, screen -dmS returns at once).",
  },
  {
    id: 'tini',
    names: ['tini', 'tini-static', 'docker-init'],
    role: 'init',
    daemonizesByDefault: false,
    optionsWithValue: ['-p', '-e'],
    foreground: ALREADY_FOREGROUND,
    readiness: 'simple',
    forwardsSignals: true,
    source: 'https://github.com/krallin/tini',
    notes:
      'docker run --init runs it as docker-init (Debian: a link to tini-static). -s makes it a subreaper when it is not pid 1.',
  },
  {
    id: 'dumb-init',
    names: ['dumb-init'],
    role: 'init',
    daemonizesByDefault: false,
    optionsWithValue: ['-r', '--rewrite'],
    foreground: ALREADY_FOREGROUND,
    readiness: 'simple',
    forwardsSignals: true,
    source: 'https://github.com/Yelp/dumb-init',
  },
  {
    id: 'catatonit',
    names: ['catatonit'],
    role: 'init',
    daemonizesByDefault: false,
    foreground: ALREADY_FOREGROUND,
    readiness: 'simple',
    forwardsSignals: true,
    source: 'https://github.com/openSUSE/catatonit',
    notes: "podman run --init runs it as the container's pid 1.",
  },
];
