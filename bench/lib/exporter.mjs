// Debian's prometheus-process-exporter, the per-process metrics a fleet would
// scrape, run by the bench itself (never its service): on a free port of
// 127.0.0.1, with a config file that names every process by comm and pid (one
// group per process, as daemon-check's series are per process), stopped by pid.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { sleep } from './abort.mjs';
import { CLEAN_ENV } from './exec.mjs';
import { EXPORTER } from './subjects.mjs';

export const EXPORTER_CONFIG = `process_names:
  - name: "{{.Comm}}:{{.PID}}"
    cmdline:
      - '.+'
`;

/** A TCP port nothing listens on now (the kernel's pick for port 0). */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const scrape = (url) => spawnSync('curl', ['-sf', '-o', '/dev/null', url], { env: CLEAN_ENV, stdio: 'ignore' });

/** Starts the exporter; resolves to {item, url} once it answers a scrape. */
export async function startExporter(ctx) {
  const config = join(ctx.tmp, 'process-exporter.yml');
  writeFileSync(config, EXPORTER_CONFIG);
  const port = await freePort();
  const proc = spawn(EXPORTER, ['-config.path', config, '-web.listen-address', `127.0.0.1:${port}`], {
    cwd: '/',
    env: CLEAN_ENV,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const item = ctx.owned.addChild(proc, 'prometheus-process-exporter', 'SIGTERM');
  const url = `http://127.0.0.1:${port}/metrics`;
  try {
    for (let i = 0; ; i++) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${EXPORTER} exited at its start`);
      if (scrape(url).status === 0) break;
      if (i > 200) throw new Error(`${EXPORTER} did not answer on ${url} within 20 s`);
      await sleep(100);
    }
  } catch (e) {
    await ctx.owned.release(item);
    throw e;
  }
  return { item, url, config };
}
