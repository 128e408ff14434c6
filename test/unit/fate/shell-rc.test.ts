/**
 * The startup files of a login shell, read through a host root for the option
 * that decides what the shell does to its jobs at its end (src/host/shell-rc.ts).
 */
import { describe, expect, it } from 'vitest';
import { liveHostFiles } from '../../../src/host/files.js';
import { readShellRc, settingsIn } from '../../../src/host/shell-rc.js';
import { tempTree } from '../../helpers/temp.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\nu:x:1000:1000::/home/u:/usr/bin/zsh\n';

describe('settingsIn', () => {
  it('reads bash huponexit, at top level or under a condition', () => {
    expect(settingsIn('bash', 'shopt -s huponexit\n')).toEqual([{ value: true, conditional: false }]);
    expect(settingsIn('bash', 'shopt -u huponexit # off\n')).toEqual([{ value: false, conditional: false }]);
    expect(settingsIn('bash', '# shopt -s huponexit\n')).toEqual([]);
    expect(settingsIn('bash', 'shopt -s checkwinsize\n')).toEqual([]);
    expect(settingsIn('bash', 'if [ -n "$SSH_TTY" ]; then\n  shopt -s huponexit\nfi\n')).toEqual([
      { value: true, conditional: true },
    ]);
    expect(settingsIn('bash', '[ -t 0 ] && shopt -s huponexit\n')).toEqual([{ value: true, conditional: true }]);
    expect(settingsIn('bash', 'f() {\n  shopt -s huponexit\n}\nshopt -s huponexit\n')).toEqual([
      { value: true, conditional: true },
      { value: true, conditional: false },
    ]);
  });

  it("reads zsh's HUP in its spellings", () => {
    for (const line of ['setopt nohup', 'setopt NO_HUP', 'unsetopt hup', 'setopt no_hup extendedglob'])
      expect(settingsIn('zsh', `${line}\n`), line).toEqual([{ value: false, conditional: false }]);
    expect(settingsIn('zsh', 'setopt HUP\n')).toEqual([{ value: true, conditional: false }]);
    expect(settingsIn('zsh', 'setopt extendedglob\n')).toEqual([]);
  });
});

describe('readShellRc', () => {
  it("zsh: the user's ~/.zshrc decides; a later file wins", () => {
    const root = tempTree('dc-rc-', {
      'etc/passwd': PASSWD,
      'etc/zsh/zshrc': 'setopt hup\n',
      'home/u/.zshrc': 'setopt nohup\n',
    });
    const rc = readShellRc(liveHostFiles(root), 1000, 'zsh');
    expect(rc).toMatchObject({ shell: 'zsh', option: 'HUP', home: '/home/u' });
    expect(rc.setting).toEqual({ value: false, where: '/home/u/.zshrc', conditional: [], unread: [] });
  });

  it('bash: ~/.bashrc counts only when the profile a login reads sources it', () => {
    const sourced = tempTree('dc-rc-', {
      'etc/passwd': PASSWD.replace('/usr/bin/zsh', '/bin/bash'),
      'home/u/.profile': 'if [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi\n',
      'home/u/.bashrc': 'shopt -s huponexit\n',
    });
    expect(readShellRc(liveHostFiles(sourced), 1000, 'bash').setting).toMatchObject({
      value: true,
      where: '/home/u/.bashrc',
    });
    const alone = tempTree('dc-rc-', { 'etc/passwd': PASSWD, 'home/u/.bashrc': 'shopt -s huponexit\n' });
    expect(readShellRc(liveHostFiles(alone), 1000, 'bash').setting.value).toBeNull();
  });

  it('no passwd entry: no home file is read, and nothing is decided', () => {
    const root = tempTree('dc-rc-', { 'etc/passwd': PASSWD });
    expect(readShellRc(liveHostFiles(root), 4242, 'zsh')).toMatchObject({ home: null, setting: { value: null } });
  });
});
