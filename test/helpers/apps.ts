/**
 * Four small web apps as users start them from a shell (python3 app.py, the
 * same from a venv, node app.js, gunicorn wsgi:app), each in a directory of
 * its own that it reads a file from by relative path, and what the live test
 * needs around them: a free port, an HTTP GET, the process tree to kill, a
 * private supervisord and runsv, and `daemon-check` on PATH.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { BIN } from './cli.js';
import { alive, childrenOf, cmdlineOf, ppidOf, tempDir, waitFor } from './procs.js';

export type AppKind = 'python3' | 'venv' | 'node' | 'gunicorn';

export interface App {
  kind: AppKind;
  dir: string;
  port: number;
  /** What a GET / must answer: the content of the file it reads by relative path. */
  body: string;
  /** The lines typed into the login shell, in order, to start it in the background. */
  typed: string[];
  /** Its command line (space-joined), to find it among its shell's processes. */
  match: RegExp;
  /** The user it runs as. */
  user: string;
}

/** GET / on 127.0.0.1:PORT: the body, or null when nothing answers (refused, reset, timeout). */
export function httpGet(port: number, timeoutMs = 2000): Promise<string | null> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(res.statusCode === 200 ? body : null));
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/** Polls an async condition until it holds (waitFor of procs.ts, with the apps' longer default). */
export function waitUntil<T>(what: string, f: () => Promise<T | null | false>, timeoutMs = 15_000): Promise<T> {
  return waitFor(what, f, timeoutMs);
}

/** The app answers GET / with its file's content. */
export function waitAnswers(app: App, who: string, timeoutMs = 15_000): Promise<string> {
  return waitUntil(
    `${app.kind} (${who}) to answer on port ${app.port}`,
    async () => {
      const b = await httpGet(app.port);
      return b === app.body ? b : null;
    },
    timeoutMs,
  );
}

/** Nothing accepts connections on the port any more. */
export function waitPortFree(port: number): Promise<true> {
  return waitUntil(
    `port ${port} to be free`,
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect({ host: '127.0.0.1', port });
        s.on('connect', () => {
          s.destroy();
          resolve(false);
        });
        s.on('error', () => resolve(true));
      }),
  );
}

/** PID and every process under it, parents first. */
export function descendants(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...childrenOf(all[i]!));
  return all;
}

/** SIGKILLs PID and every process under it (listed first, so no orphan escapes to init), and waits until all are gone. */
export async function killTree(pid: number): Promise<void> {
  const pids = descendants(pid);
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await waitFor(`pids ${pids.join(' ')} to exit`, () => pids.every((p) => !alive(p)));
}

/**
 * The app's main process: its command line matches, it runs in its
 * directory, and its parent is not one of its own (gunicorn's workers share
 * the master's command line).
 */
export function findApp(app: App): number | null {
  const matches = (p: number) => app.match.test((cmdlineOf(p) ?? []).join(' '));
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const pid = Number(d);
    try {
      if (!matches(pid) || fs.readlinkSync(`/proc/${pid}/cwd`) !== app.dir) continue;
    } catch {
      continue;
    }
    const ppid = ppidOf(pid);
    if ((ppid === null || !matches(ppid)) && alive(pid)) return pid;
  }
  return null;
}

/** The child of PARENT that runs the app, or null. */
export function appChildOf(parent: number, app: App): number | null {
  return childrenOf(parent).find((c) => app.match.test((cmdlineOf(c) ?? []).join(' '))) ?? null;
}

const PY_APP = (dep: boolean) =>
  [
    'import http.server, sys',
    ...(dep ? ['import appdep'] : []),
    '',
    'class Handler(http.server.BaseHTTPRequestHandler):',
    '    def do_GET(self):',
    "        with open('data.txt', 'rb') as f:",
    `            body = ${dep ? 'appdep.render(f.read())' : 'f.read()'}`,
    '        self.send_response(200)',
    "        self.send_header('Content-Length', str(len(body)))",
    '        self.end_headers()',
    '        self.wfile.write(body)',
    '',
    "http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), Handler).serve_forever()",
    '',
  ].join('\n');

const NODE_APP = [
  "const fs = require('fs');",
  "const http = require('http');",
  "const config = JSON.parse(fs.readFileSync('./config.json', 'utf8'));",
  'http',
  "  .createServer((req, res) => res.end(JSON.parse(fs.readFileSync('./config.json', 'utf8')).greeting))",
  "  .listen(config.port, '127.0.0.1');",
  '',
].join('\n');

const WSGI_APP = [
  'def app(environ, start_response):',
  "    with open('data.txt', 'rb') as f:",
  '        body = f.read()',
  "    start_response('200 OK', [('Content-Length', str(len(body)))])",
  '    return [body]',
  '',
].join('\n');

/** A venv made with PYTHON, and a package `appdep` that exists only in its site-packages (PyPI is not reachable). */
function makeVenv(dir: string): void {
  execFileSync('python3', ['-m', 'venv', '--without-pip', path.join(dir, 'venv')], { stdio: 'ignore' });
  const site = execFileSync(
    path.join(dir, 'venv', 'bin', 'python'),
    ['-c', "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
    { encoding: 'utf8' },
  ).trim();
  fs.mkdirSync(path.join(site, 'appdep'), { recursive: true });
  fs.writeFileSync(path.join(site, 'appdep', '__init__.py'), "def render(data):\n    return b'appdep: ' + data\n");
}

/** Writes the app's files in a fresh directory and says how a user starts it. */
export function makeApp(kind: AppKind, port: number): App {
  const dir = fs.realpathSync(tempDir(`dc-apps-${kind}-`));
  fs.chmodSync(dir, 0o755);
  const data = `${kind} data ${port}\n`;
  const log = '> app.log 2>&1 &';
  switch (kind) {
    case 'python3':
      fs.writeFileSync(path.join(dir, 'app.py'), PY_APP(false));
      fs.writeFileSync(path.join(dir, 'data.txt'), data);
      return {
        kind,
        dir,
        port,
        body: data,
        typed: [`cd ${dir} && nohup python3 app.py ${port} ${log}`],
        match: new RegExp(`python3 app\\.py ${port}$`),
        user: 'root',
      };
    case 'venv':
      fs.writeFileSync(path.join(dir, 'app.py'), PY_APP(true));
      fs.writeFileSync(path.join(dir, 'data.txt'), data);
      makeVenv(dir);
      return {
        kind,
        dir,
        port,
        body: `appdep: ${data}`,
        // The venv is activated in the login shell itself, then left, as a user would.
        typed: [`cd ${dir}`, '. venv/bin/activate', `nohup python app.py ${port} ${log}`, 'deactivate', 'cd'],
        match: new RegExp(`python app\\.py ${port}$`),
        user: 'root',
      };
    case 'node': {
      const greeting = `node config ${port}`;
      fs.writeFileSync(path.join(dir, 'app.js'), NODE_APP);
      fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ port, greeting }) + '\n');
      // It runs as www-data, the web server's user, in a directory of its own.
      execFileSync('chown', ['-R', 'www-data:www-data', dir]);
      return {
        kind,
        dir,
        port,
        body: greeting,
        // A shell of www-data's own (su -c would start it in a session of its own: a daemon already).
        typed: ['su -s /bin/bash www-data', `cd ${dir} && nohup node app.js ${log}`, 'exit'],
        match: /^(\S*\/)?node app\.js$/,
        user: 'www-data',
      };
    }
    case 'gunicorn':
      fs.writeFileSync(path.join(dir, 'wsgi.py'), WSGI_APP);
      fs.writeFileSync(path.join(dir, 'data.txt'), data);
      return {
        kind,
        dir,
        port,
        body: data,
        typed: [`cd ${dir} && nohup gunicorn -b 127.0.0.1:${port} wsgi:app ${log}`],
        match: new RegExp(`gunicorn -b 127\\.0\\.0\\.1:${port} wsgi:app$`),
        user: 'root',
      };
  }
}

/**
 * A private supervisord's configuration (its own socket, pidfile and logs in
 * D) with one program section, and MORE lines for its [supervisord] section.
 */
export function supervisordConf(d: string, section: string, more: string[] = []): string {
  const conf = path.join(d, 'supervisord.conf');
  fs.writeFileSync(
    conf,
    [
      '[unix_http_server]',
      `file=${d}/supervisor.sock`,
      '[supervisord]',
      `logfile=${d}/supervisord.log`,
      `pidfile=${d}/supervisord.pid`,
      `childlogdir=${d}`,
      ...more,
      'user=root',
      '[rpcinterface:supervisor]',
      'supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface',
      '[supervisorctl]',
      `serverurl=unix://${d}/supervisor.sock`,
      section,
    ].join('\n'),
  );
  return conf;
}

/** A runit service directory D/NAME whose ./run is SCRIPT. */
export function runitService(d: string, name: string, script: string): string {
  const svc = path.join(d, name);
  fs.mkdirSync(svc);
  fs.writeFileSync(path.join(svc, 'run'), script, { mode: 0o755 });
  return svc;
}

/** A directory holding `daemon-check`, the built CLI, for PATH: the line it prints runs as a user would paste it. */
export function cliOnPath(): string {
  const dir = tempDir('dc-apps-bin-');
  fs.writeFileSync(path.join(dir, 'daemon-check'), `#!/bin/sh\nexec ${process.execPath} ${BIN} "$@"\n`, {
    mode: 0o755,
  });
  return dir;
}

/** The user name of a uid, from /etc/passwd. */
export function userOf(uid: number): string | null {
  for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f.length > 2 && Number(f[2]) === uid) return f[0]!;
  }
  return null;
}

/** argv[0] as execvp would find it: a path with a slash from CWD, a bare name on PATH (from its environ). */
export function onPath(argv0: string, cwd: string, envPath: string): string | null {
  if (argv0.includes('/')) return path.resolve(cwd, argv0);
  for (const d of envPath.split(':')) {
    const p = path.resolve(cwd, d || '.', argv0);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      /* not here */
    }
  }
  return null;
}

/** A variable of a running process's environment. */
export function environOf(pid: number, name: string): string | null {
  const kv = fs
    .readFileSync(`/proc/${pid}/environ`, 'utf8')
    .split('\0')
    .find((e) => e.startsWith(`${name}=`));
  return kv === undefined ? null : kv.slice(name.length + 1);
}
