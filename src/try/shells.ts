/**
 * What `try` needs to know of a login shell, and how the start line is
 * typed. Pure: no I/O.
 */

export type ShellKind = 'bash' | 'zsh' | 'dash' | 'sh' | 'fish' | 'ksh' | 'other';

export function shellKind(realPath: string): ShellKind {
  const base = realPath.slice(realPath.lastIndexOf('/') + 1);
  const name = base.replace(/^-/, '').replace(/\d+(\.\d+)*$/, '');
  if (name === 'bash' || name === 'zsh' || name === 'dash' || name === 'sh' || name === 'fish') return name;
  if (name === 'ksh' || name === 'mksh') return 'ksh';
  return 'other';
}

/**
 * The shell's arguments as a login shell: argv[0] is "-" + its name (what
 * login(1) and sshd do), so bash, zsh, dash and fish all read their login
 * files. With noRc, the user's startup files are skipped where the shell has
 * a flag for it (dash and sh have none: a login dash reads /etc/profile and
 * ~/.profile).
 */
export function loginArgs(path: string, kind: ShellKind, noRc: boolean): { arg0: string; args: string[] } {
  const arg0 = `-${path.slice(path.lastIndexOf('/') + 1)}`;
  if (!noRc) return { arg0, args: [] };
  switch (kind) {
    case 'bash':
      return { arg0, args: ['--noprofile', '--norc'] };
    case 'zsh':
      return { arg0, args: ['-f'] };
    case 'fish':
      return { arg0, args: ['--no-config'] };
    default:
      return { arg0, args: [] };
  }
}

/**
 * The marker line: the shell computes N+1, so the answer ("dc-43") differs
 * from the echoed typed text ("dc-$((42+1))"); seeing it means the shell has
 * read and run every line typed before it.
 */
export function markerLine(kind: ShellKind, n: number): { line: string; answer: string } {
  const line = kind === 'fish' ? `echo dc-(math ${n} + 1)` : `echo dc-$((${n}+1))`;
  return { line, answer: `dc-${n + 1}` };
}

/** One step of the start line: a line typed with its Enter, or keys (`^Z`) pressed as they are. */
export type Step = { kind: 'line'; text: string } | { kind: 'keys'; text: string; bytes: string };

const CARET = /^\^[A-Z@[\\\]^_?](\s+\S+)*$/;

/**
 * The start line, one step per line. A line of keys in caret notation
 * presses them: `^Z` suspends the foreground job as Ctrl-Z does, `^A d`
 * presses Ctrl-A then d (screen's detach); every other line is typed.
 */
export function steps(startLine: string): Step[] {
  return startLine
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((text): Step => {
      if (!CARET.test(text.trim())) return { kind: 'line', text };
      const bytes = text
        .trim()
        .split(/\s+/)
        .map((k) => (k.startsWith('^') && k.length === 2 ? String.fromCharCode(k.charCodeAt(1) ^ 0x40) : k))
        .join('');
      return { kind: 'keys', text, bytes };
    });
}
