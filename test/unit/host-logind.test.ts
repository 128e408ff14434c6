/**
 * logind.conf as systemd-logind reads it (systemd v252 src/shared/conf-parser.c,
 * src/login/logind-core.c), against host roots made in a temp dir. The same read
 * as user nobody, of a file it may not open: test/live/host-logind-nobody.test.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveHostFiles } from '../../src/host/files.js';
import * as logind from '../../src/host/logind.js';
import { parseLogindConf, parseSystemdBoolean, type LogindConf } from '../../src/host/logind-parse.js';
import { tempTree } from '../helpers/temp.js';

const { killOnLogout } = logind;
/** The readers take a host's files; these tests name a host root made in a temp dir. */
const listLogindConfFiles = (root: string) => logind.listLogindConfFiles(liveHostFiles(root));
const readLogindConf = (root: string) => logind.readLogindConf(liveHostFiles(root));
const readLinger = (root: string) => logind.readLinger(liveHostFiles(root));
const lingeringUsers = (root: string) => logind.lingeringUsers(liveHostFiles(root));
const systemdIsPid1 = (root: string) => logind.systemdIsPid1(liveHostFiles(root));

const host = (files: Record<string, string | null>): string => tempTree('dc-logind-', files);
const parseEtcLogindConf = (text: string): LogindConf => parseLogindConf([{ path: '/etc/systemd/logind.conf', text }]);

describe('parseLogindConf', () => {
  it('nothing set: all null, no problems; root spared by default; others rest on the build default', () => {
    const c = readLogindConf(host({}));
    expect(c).toMatchObject({
      killUserProcesses: null,
      killExcludeUsers: null,
      killOnlyUsers: null,
      read: [],
      problems: [],
    });
    expect(killOnLogout(c, 'root')).toMatchObject({ applies: false });
    const alice = killOnLogout(c, 'alice');
    expect(alice.applies).toBeNull();
    expect(alice.why).toMatch(/upstream .*true.*Debian, Ubuntu, Fedora and Arch build with false/);
    expect(alice.why).toContain('loginctl show-session');
    expect(alice.why).toContain(
      'busctl get-property org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager KillUserProcesses',
    );
  });

  it("the packaged '#KillUserProcesses=no' line is reported as the shipped default, not as a setting", () => {
    const c = parseEtcLogindConf('[Login]\n#NAutoVTs=6\n#KillUserProcesses=no\n#KillExcludeUsers=root\n');
    expect(c).toMatchObject({ killUserProcesses: null, shippedDefault: false });
    expect(killOnLogout(c, 'alice').why).toContain("'#KillUserProcesses=no'");
  });

  it('booleans: parse_boolean words, any case; anything else is ignored with a problem', () => {
    for (const w of ['yes', 'YES', 'y', 'true', 'T', 'on', '1']) expect(parseSystemdBoolean(w), w).toBe(true);
    for (const w of ['no', 'N', 'false', 'f', 'Off', '0']) expect(parseSystemdBoolean(w), w).toBe(false);
    for (const w of ['', 'yess', '2', 'enabled']) expect(parseSystemdBoolean(w), w).toBeNull();
    const c = parseEtcLogindConf('[Login]\nKillUserProcesses=yes\nKillUserProcesses=maybe\n');
    expect(c.killUserProcesses).toBe(true);
    expect(c.setIn.KillUserProcesses).toEqual({ path: '/etc/systemd/logind.conf', line: 2 });
    expect(c.problems).toEqual([expect.stringMatching(/:3: KillUserProcesses=maybe is not a boolean/)]);
  });

  it('drop-ins: sorted by name across directories, an earlier directory masks a same-named file, later files win', () => {
    const root = host({
      '/etc/systemd/logind.conf': '[Login]\nKillUserProcesses=no\n',
      '/usr/lib/systemd/logind.conf.d/10-vendor.conf': '[Login]\nKillUserProcesses=yes\nKillExcludeUsers=vendor\n',
      '/run/systemd/logind.conf.d/20-run.conf': '[Login]\nKillExcludeUsers=runtime\n',
      '/etc/systemd/logind.conf.d/50-site.conf': '[Login]\nKillUserProcesses=no\n',
      '/usr/lib/systemd/logind.conf.d/50-site.conf': '[Login]\nKillUserProcesses=yes\n',
      '/usr/local/lib/systemd/logind.conf.d/60-x.conf': null,
      '/usr/lib/systemd/logind.conf.d/60-x.conf': '[Login]\nKillUserProcesses=yes\n',
      '/etc/systemd/logind.conf.d/30-ignored.txt': '[Login]\nKillUserProcesses=yes\n',
    });
    const listing = listLogindConfFiles(root);
    expect(listing.files).toEqual([
      '/etc/systemd/logind.conf',
      '/usr/lib/systemd/logind.conf.d/10-vendor.conf',
      '/run/systemd/logind.conf.d/20-run.conf',
      '/etc/systemd/logind.conf.d/50-site.conf',
    ]);
    expect(listing.masked).toEqual(['/usr/local/lib/systemd/logind.conf.d/60-x.conf']);
    const c = readLogindConf(root);
    expect(c.killUserProcesses).toBe(false);
    expect(c.setIn.KillUserProcesses).toEqual({ path: '/etc/systemd/logind.conf.d/50-site.conf', line: 2 });
    // config_parse_strv appends: a later assignment adds to the list, it does not replace it.
    expect(c.killExcludeUsers).toEqual(['vendor', 'runtime']);
    expect(c.setIn.KillExcludeUsers.map((s) => s.path)).toEqual([
      '/usr/lib/systemd/logind.conf.d/10-vendor.conf',
      '/run/systemd/logind.conf.d/20-run.conf',
    ]);
    expect(c.problems).toEqual([]);
  });

  it('the main file falls back to /usr/lib/systemd/logind.conf when /etc has none (newer systemd)', () => {
    expect(listLogindConfFiles(host({ '/usr/lib/systemd/logind.conf': '[Login]\n' })).files).toEqual([
      '/usr/lib/systemd/logind.conf',
    ]);
  });

  it('lists: words, quotes, appending; an empty assignment resets to unset, which spares root again', () => {
    const c = parseEtcLogindConf(
      '[Login]\nKillUserProcesses=yes\nKillExcludeUsers=alice "bob smith"\nKillExcludeUsers=carol\n',
    );
    expect(c.killExcludeUsers).toEqual(['alice', 'bob smith', 'carol']);
    // A list that does not name root no longer spares it (manager_shall_kill: !kill_exclude_users && root).
    expect(killOnLogout(c, 'root')).toMatchObject({ applies: true });
    expect(killOnLogout(c, 'carol')).toMatchObject({ applies: false });
    expect(killOnLogout(c, 'dave').why).toMatch(/KillUserProcesses=yes \(\/etc\/systemd\/logind.conf:2\)/);
    const reset = parseEtcLogindConf(
      '[Login]\nKillUserProcesses=yes\nKillExcludeUsers=alice\nKillExcludeUsers=\nKillOnlyUsers=x\nKillOnlyUsers=   \n',
    );
    expect(reset).toMatchObject({ killExcludeUsers: null, killOnlyUsers: null });
    expect(reset.setIn.KillExcludeUsers).toEqual([{ path: '/etc/systemd/logind.conf', line: 4 }]);
    expect(killOnLogout(reset, 'root')).toMatchObject({ applies: false });
    expect(killOnLogout(reset, 'alice')).toMatchObject({ applies: true });
  });

  it('KillOnlyUsers decides alone when non-empty, even over KillUserProcesses=no', () => {
    const c = parseEtcLogindConf('[Login]\nKillUserProcesses=no\nKillOnlyUsers=alice\n');
    expect(killOnLogout(c, 'alice')).toMatchObject({ applies: true });
    expect(killOnLogout(c, 'bob')).toMatchObject({ applies: false });
    expect(killOnLogout(c, 'root')).toMatchObject({ applies: false });
    const ex = parseEtcLogindConf('[Login]\nKillOnlyUsers=alice\nKillExcludeUsers=alice\n');
    expect(killOnLogout(ex, 'alice')).toMatchObject({ applies: false }); // exclusion is checked first
  });

  it("comments ('#', ';' at line start only), continuations, BOM, CRLF", () => {
    const c = parseEtcLogindConf(
      '\uFEFF[Login]\r\n; comment\r\n  # indented comment\r\nKillExcludeUsers=alice \\\n# dropped inside a continuation\n  bob\\\\\nKillOnlyUsers=x # y\n',
    );
    expect(c.killExcludeUsers).toEqual(['alice', 'bob\\\\']);
    expect(c.killOnlyUsers).toEqual(['x', '#', 'y']); // no trailing comments in systemd's syntax
    expect(parseEtcLogindConf('[Login]\nKillUserProcesses=\\\nyes').killUserProcesses).toBe(true); // continued to EOF
    expect(c.problems).toEqual([]);
  });

  it('other sections and lines outside [Login] are ignored; garbage is reported, never thrown', () => {
    const c = parseEtcLogindConf(
      [
        'KillUserProcesses=yes',
        '[Journal]',
        'KillUserProcesses=yes',
        '[X-Vendor]',
        'KillUserProcesses=yes',
        '[Login]',
        'just words',
        '=value',
        'killuserprocesses=yes',
        'KillExcludeUsers=a "b',
        'HandleLidSwitch=ignore',
        '\x00\x01garbage',
      ].join('\n'),
    );
    expect(c).toMatchObject({ killUserProcesses: null, killExcludeUsers: ['a'], stoppedAt: null });
    expect(c.problems).toEqual([
      expect.stringMatching(/:1: assignment outside of any section/),
      expect.stringMatching(/:2: unknown section \[Journal\]/),
      expect.stringMatching(/:7: missing '='/),
      expect.stringMatching(/:8: missing key name/),
      expect.stringMatching(/:9: unknown key killuserprocesses= \(keys are case-sensitive\)/),
      expect.stringMatching(/:10: unbalanced quote/),
      expect.stringMatching(/:13: missing '='/),
    ]);
  });

  it('a drop-in without its own [Login] line sets nothing: each file starts outside any section', () => {
    const c = parseLogindConf([
      { path: '/etc/systemd/logind.conf', text: '[Login]\n' },
      { path: '/etc/systemd/logind.conf.d/a.conf', text: 'KillUserProcesses=yes\n' },
    ]);
    expect(c.killUserProcesses).toBeNull();
    expect(c.problems).toEqual([expect.stringMatching(/a\.conf:1: assignment outside of any section/)]);
  });

  it('a broken section header or invalid UTF-8 stops logind reading: later lines and files are not applied', () => {
    const files = (bad: string) =>
      parseLogindConf([
        { path: '/etc/systemd/logind.conf', text: `[Login]\nKillExcludeUsers=alice\n${bad}\nKillExcludeUsers=bob\n` },
        { path: '/etc/systemd/logind.conf.d/z.conf', text: '[Login]\nKillUserProcesses=yes\n' },
      ]);
    for (const bad of ['[Login', '[Lo"gin]', 'KillOnlyUsers=caf\uFFFD']) {
      const c = files(bad);
      expect(c, bad).toMatchObject({ killExcludeUsers: ['alice'], killUserProcesses: null, killOnlyUsers: null });
      expect(c.stoppedAt, bad).toEqual({ path: '/etc/systemd/logind.conf', line: 3 });
      expect(c.read, bad).toEqual(['/etc/systemd/logind.conf']);
      expect(c.problems.at(-1), bad).toMatch(/logind stops parsing here/);
    }
  });

  it('an unreadable file (errno given) stops the parse there; ENOENT is skipped', () => {
    const c = parseLogindConf([
      { path: '/etc/systemd/logind.conf', text: '[Login]\nKillUserProcesses=yes\n' },
      { path: '/etc/systemd/logind.conf.d/gone.conf', text: '', error: 'ENOENT' },
      { path: '/etc/systemd/logind.conf.d/locked.conf', text: '', error: 'EIO' },
      { path: '/etc/systemd/logind.conf.d/later.conf', text: '[Login]\nKillUserProcesses=no\n' },
    ]);
    expect(c).toMatchObject({
      killUserProcesses: true,
      stoppedAt: { path: '/etc/systemd/logind.conf.d/locked.conf', line: 0 },
    });
    expect(c.problems).toEqual([expect.stringMatching(/locked\.conf: cannot be read \(EIO\); logind stops/)]);
  });

  it('a file this auditor may not read (EACCES) leaves the rest unknown, without claiming logind stops there (it reads as root)', () => {
    const c = parseLogindConf([
      { path: '/etc/systemd/logind.conf', text: '[Login]\nKillUserProcesses=yes\n' },
      { path: '/etc/systemd/logind.conf.d/locked.conf', text: '', error: 'EACCES' },
      { path: '/etc/systemd/logind.conf.d/later.conf', text: '[Login]\nKillUserProcesses=no\n' },
    ]);
    expect(c.stoppedAt).toEqual({ path: '/etc/systemd/logind.conf.d/locked.conf', line: 0 });
    expect(c.problems).toEqual([
      '/etc/systemd/logind.conf.d/locked.conf: cannot be read by this user (EACCES), though logind, as root, reads it: run daemon-check as root to see what it sets',
    ]);
  });
});

describe('lingering users and sd_booted', () => {
  it('linger: null when the directory is missing, [] when empty, names as logind enumerates them', () => {
    expect(lingeringUsers(host({}))).toBeNull();
    const empty = host({});
    fs.mkdirSync(path.join(empty, 'var/lib/systemd/linger'), { recursive: true });
    expect(lingeringUsers(empty)).toEqual([]);
    const root = host(
      Object.fromEntries(
        ['bob', 'alice', '.hidden', 'x~', 'y.dpkg-old', 'm\\x2dn'].map((n) => [`/var/lib/systemd/linger/${n}`, '']),
      ),
    );
    fs.mkdirSync(path.join(root, 'var/lib/systemd/linger/adir'));
    expect(lingeringUsers(root)).toEqual(['alice', 'bob', 'm-n']);
    const notDir = host({ '/var/lib/systemd/linger': 'file' });
    expect(readLinger(notDir)).toEqual({ users: null, error: 'ENOTDIR' });
  });

  it('systemdIsPid1: /run/systemd/system/ must exist as a directory', () => {
    expect(systemdIsPid1(host({}))).toBe(false);
    expect(systemdIsPid1(host({ '/run/systemd/system': 'a file' }))).toBe(false);
    const booted = host({});
    fs.mkdirSync(path.join(booted, 'run/systemd/system'), { recursive: true });
    expect(systemdIsPid1(booted)).toBe(true);
  });
});
