/**
 * The fixes `daemon-check` prints must start the app: the session/system
 * variable list, argv[0] found on the process's own PATH (a venv's python, not
 * the system one /proc/PID/exe leads to), interpreters in the knowledge table,
 * "at once" only for the first 100 ms, and the too-many-arguments message.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveArgv0 } from '../../src/snapshot/argv0.js';
import { relativeArgs } from '../../src/checks/workdir.js';
import { ranFor } from '../../src/daemonize/helper.js';
import { lookupInterpreter, lookupProgram } from '../../src/knowledge/index.js';
import { openProcSource } from '../../src/proc/source.js';
import { isSecret, isSessionVariable, SESSION_VARIABLES } from '../../src/unit/environment.js';
import { runCli } from '../helpers/cli.js';
import { Tracker, tempDir, waitFor } from '../helpers/procs.js';
import { makeSnapshot } from '../helpers/snapshot.js';

const dirs: string[] = [];
const tracker = new Tracker();
afterAll(async () => {
  await tracker.killAll();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('environment: session and system variables in one list', () => {
  it("names the login's and the system's own variables, not an app's settings", () => {
    for (const v of ['TERM', 'SSH_CONNECTION', 'SSH_TTY', 'XDG_RUNTIME_DIR', 'LS_COLORS', 'PWD', 'OLDPWD', 'SHLVL'])
      expect(isSessionVariable(v), v).toBe(true);
    for (const v of ['HOME', 'USER', 'PATH', 'LANG', 'LC_ALL', 'SUDO_USER', 'VIRTUAL_ENV', 'TMUX'])
      expect(isSessionVariable(v), v).toBe(true);
    for (const v of ['APP_TOKEN', 'DATABASE_URL', 'PORT', 'NODE_ENV', 'FLASK_APP', 'GREETING'])
      expect(isSessionVariable(v), v).toBe(false);
    expect([...SESSION_VARIABLES]).toEqual([...new Set(SESSION_VARIABLES)]);
  });

  it('tells secrets by name', () => {
    for (const v of ['APP_TOKEN', 'DB_PASSWORD', 'SECRET', 'AWS_SECRET_ACCESS_KEY', 'STRIPE_API_KEY', 'PGPASS'])
      expect(isSecret(v), v).toBe(true);
    for (const v of ['PORT', 'DATABASE_HOST', 'GREETING', 'KEYBOARD']) expect(isSecret(v), v).toBe(false);
  });
});

describe('argv[0] found on its own PATH, from its own working directory, in its own root', () => {
  it("a venv's bin/python (a link to the system python) is kept; a miss is null", () => {
    const dir = fs.realpathSync(tempDir('dc-apps-'));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, 'venv', 'bin'), { recursive: true });
    fs.symlinkSync(process.execPath, path.join(dir, 'venv', 'bin', 'python'));
    fs.writeFileSync(path.join(dir, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    const source = openProcSource('/proc');
    const snap = (cmdline: string[], env: Record<string, string>) =>
      makeSnapshot({ pid: process.pid, cmdline, cwd: dir, environ: new Map(Object.entries(env)) });
    expect(resolveArgv0(source, snap(['python', 'app.py'], { PATH: `${dir}/venv/bin:/usr/bin:/bin` }))).toBe(
      `${dir}/venv/bin/python`,
    );
    // A relative PATH entry is searched from its working directory (execvp).
    expect(resolveArgv0(source, snap(['python', 'app.py'], { PATH: 'venv/bin' }))).toBe(`${dir}/venv/bin/python`);
    expect(resolveArgv0(source, snap(['./run.sh'], {}))).toBe(`${dir}/run.sh`);
    expect(resolveArgv0(source, snap(['/usr/bin/x', 'a'], {}))).toBe('/usr/bin/x');
    expect(resolveArgv0(source, snap(['python', 'app.py'], { PATH: '/nonexistent' }))).toBeNull();
    expect(resolveArgv0(source, snap(['python', 'app.py'], {}))).toBeNull();
  });
});

describe('interpreters in the knowledge table', () => {
  it('python, node, ruby, perl, php, java and shells, after every program row', () => {
    expect(lookupInterpreter('python3', ['python3', 'app.py'])).toMatchObject({
      info: { id: 'python' },
      script: 'app.py',
    });
    expect(lookupInterpreter('node', ['node', 'app.js'])).toMatchObject({ info: { id: 'node' }, script: 'app.js' });
    expect(lookupInterpreter('java', ['java', '-jar', 'app.jar'])).toMatchObject({
      info: { id: 'java' },
      script: 'app.jar',
    });
    expect(lookupInterpreter('ruby', ['ruby', 'app.rb'])?.info.id).toBe('ruby');
    expect(lookupInterpreter('perl', ['perl', 'app.pl'])?.info.id).toBe('perl');
    expect(lookupInterpreter('php', ['php', 'app.php'])?.info.id).toBe('php');
    expect(lookupInterpreter('bash', ['bash', 'start.sh'])?.info.id).toBe('shell');
    // A program run by an interpreter is still that program.
    expect(lookupProgram('python3', ['/usr/bin/python3', '/usr/bin/gunicorn', 'wsgi:app'])?.id).toBe('gunicorn');
    expect(lookupInterpreter('sleep', ['sleep', '1'])).toBeNull();
  });

  it('a unit for `python3 app.py` describes app.py, keeps its directory, and never says python3 is unknown', async () => {
    const dir = fs.realpathSync(tempDir('dc-apps-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'app.py'), 'import time\ntime.sleep(600)\n');
    const child = spawn('/usr/bin/python3', ['app.py'], { cwd: dir, stdio: 'ignore', detached: true });
    const pid = tracker.track(child.pid!);
    child.unref();
    await waitFor('python3 to run app.py', () => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8') === '/usr/bin/python3\0app.py\0';
      } catch {
        return false;
      }
    });
    const r = await runCli(['unit', String(pid)]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('ExecStart=/usr/bin/python3 app.py');
    expect(lines).toContain(`WorkingDirectory=${dir}`);
    expect(lines).toContain('Description=app.py (python3) (service definition made by daemon-check unit)');
    expect(lines[1]).toBe(
      '# app.py (python3), run by the interpreter python: https://docs.python.org/3/using/cmdline.html',
    );
    expect(r.stdout).not.toMatch(/is not in daemon-check's knowledge table/);
  });
});

describe('the smaller ones', () => {
  it('"at once" only within the first 100 ms', () => {
    expect(ranFor(40)).toBe('at once');
    expect(ranFor(100)).toBe('at once');
    expect(ranFor(1100)).toBe('after 1.1 s');
  });

  it('relative arguments: a bare script, a module, ./paths; not numbers or absolute paths', () => {
    expect(relativeArgs(['python3', 'app.py'])).toEqual(['app.py']);
    expect(relativeArgs(['gunicorn', '-b', '127.0.0.1:8000', 'wsgi:app'])).toEqual(['wsgi:app']);
    expect(relativeArgs(['sleep', '100'])).toEqual([]);
    expect(relativeArgs(['sh', '-c', 'exit 0'])).toEqual([]);
  });

  it('`unit 1 2` and `tree 1 2` name the real cause: too many arguments', async () => {
    for (const cmd of ['unit', 'tree']) {
      const r = await runCli([cmd, '1', '2']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `daemon-check: too many arguments for '${cmd}'. Expected 1 argument but got 2; see 'daemon-check --help'\n`,
      );
    }
  });
});
