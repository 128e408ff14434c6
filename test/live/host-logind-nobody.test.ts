/**
 * logind.conf read by a user who may not open a drop-in (EACCES), for real:
 * the reader runs as nobody (so this needs root) on a host root made in a
 * temp dir. The parser's side of it, and the rest of logind.conf:
 * test/unit/host-logind.test.ts.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import type { LogindConf } from '../../src/host/logind.js';
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
      await build({
        stdin: {
          contents:
            `import { readLogindConf } from ${JSON.stringify(fileURLToPath(new URL('../../src/host/logind.ts', import.meta.url)))};\n` +
            `import { liveHostFiles } from ${JSON.stringify(fileURLToPath(new URL('../../src/host/files.ts', import.meta.url)))};\n` +
            `process.stdout.write(JSON.stringify(readLogindConf(liveHostFiles(process.argv[2]))));`,
          resolveDir: process.cwd(),
          loader: 'ts',
        },
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile: bundle,
        logLevel: 'silent',
      });
      const r = spawnSync(process.execPath, [bundle, root], { uid: 65534, gid: 65534, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const c = JSON.parse(r.stdout) as LogindConf;
      expect(c.killUserProcesses).toBe(true);
      expect(c.problems).toEqual([expect.stringMatching(/10-locked\.conf: cannot be read by this user \(EACCES\)/)]);
    },
  );
});
