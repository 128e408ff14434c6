/**
 * logind.conf read by a user who may not open a drop-in (EACCES), for real:
 * the reader runs as nobody (so this needs root) on a host root made in a
 * temp dir. The parser's side of it, and the rest of logind.conf:
 * test/unit/host-logind.test.ts.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LogindConf } from '../../src/host/logind.js';
import { bundleSrc } from '../helpers/procs.js';
import { tempTree } from '../helpers/temp.js';

describe('logind.conf as nobody', () => {
  it.skipIf(process.getuid?.() !== 0)(
    'a chmod 000 drop-in read as nobody: EACCES in problems, nothing thrown',
    async () => {
      const root = tempTree('dc-logind-', {
        '/etc/systemd/logind.conf': '[Login]\nKillUserProcesses=yes\n',
        '/etc/systemd/logind.conf.d/10-locked.conf': '[Login]\nKillUserProcesses=no\n',
      });
      fs.chmodSync(root, 0o755); // mkdtemp makes it 0700; nobody must reach the file to be refused by its mode
      fs.chmodSync(path.join(root, 'etc/systemd/logind.conf.d/10-locked.conf'), 0o000);
      const bundle = path.join(root, 'read.mjs');
      await bundleSrc(
        bundle,
        { readLogindConf: 'host/logind.ts', liveHostFiles: 'host/files.ts' },
        'process.stdout.write(JSON.stringify(readLogindConf(liveHostFiles(process.argv[2]))));',
      );
      const r = spawnSync(process.execPath, [bundle, root], { uid: 65534, gid: 65534, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const c = JSON.parse(r.stdout) as LogindConf;
      expect(c.killUserProcesses).toBe(true);
      expect(c.problems).toEqual([expect.stringMatching(/10-locked\.conf: cannot be read by this user \(EACCES\)/)]);
    },
  );
});
