/**
 * Interpreters: python, node, ruby, perl, php, java and the shells. None forks
 * itself away; what it runs (a script, a module, a jar) is the program to
 * describe, and its working directory often holds it. They are consulted only
 * when no other row matches, since `python3 /usr/bin/supervisord` is supervisord.
 */
import { ALREADY_FOREGROUND, debian } from './rule.js';
import type { ProgramInfo } from './types.js';

const row = (id: string, names: string[], pattern: RegExp, source: string, notes: string): ProgramInfo => ({
  id,
  names,
  patterns: [pattern],
  role: 'service',
  daemonizesByDefault: false,
  foreground: ALREADY_FOREGROUND,
  readiness: 'simple',
  source,
  notes,
});

export const INTERPRETER_PROGRAMS: readonly ProgramInfo[] = [
  row(
    'python',
    ['python', 'python3'],
    /^(python[\d.]*|pypy[\d.]*)$/,
    'https://docs.python.org/3/using/cmdline.html',
    "Runs a script, or a module with -m, found from its working directory (sys.path[0] is the script's directory, or the working directory for -m and -c). A venv's bin/python is a link to the system's: run it by the venv's path, or the venv's packages are lost.",
  ),
  row(
    'node',
    ['node', 'nodejs'],
    /^node(js)?[\d.]*$/,
    'https://nodejs.org/api/cli.html',
    'Runs a script; a relative path, and require() of ./files, resolve from the working directory. Programs in node_modules/.bin are scripts run by node through their #! line.',
  ),
  row(
    'ruby',
    ['ruby'],
    /^ruby[\d.]*$/,
    debian('ruby', 'ruby.1'),
    'Runs a script; relative paths resolve from the working directory.',
  ),
  row(
    'perl',
    ['perl'],
    /^perl[\d.]*$/,
    debian('perl', 'perlrun.1'),
    'Runs a script; relative paths resolve from the working directory.',
  ),
  row(
    'php',
    ['php'],
    /^php[\d.]*$/,
    'https://www.php.net/manual/en/features.commandline.options.php',
    'The command-line php runs a script (php-fpm has a row of its own).',
  ),
  row(
    'java',
    ['java'],
    /^java$/,
    'https://docs.oracle.com/en/java/javase/17/docs/specs/man/java.html',
    'Runs a class or -jar FILE; a relative classpath resolves from the working directory.',
  ),
  row(
    'shell',
    ['sh', 'bash', 'dash'],
    /^(sh|bash|dash|zsh|ksh|mksh)$/,
    debian('bash', 'bash.1'),
    'Runs a script; the script is the program to describe, and its commands run in its working directory.',
  ),
];
