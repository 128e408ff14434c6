#!/usr/bin/env node
// The measured floor of a scan in Node (bench entries 18, 21 and 22):
//
//   node bench/helpers/floor.mjs             (entry 18)
//   node bench/helpers/floor.mjs snapshots   (entries 21, 22)
//
// Start the native helper's scan-read, collect its records, and parse them as
// a scan does: the process table's stat of every process, its status and
// cmdline. With `snapshots`, every snapshot a scan judges is read and
// assembled as well (plan 'scan-full', the run's caches and peer index), so
// what is left above this is the judging and the printing. Nothing is judged
// or printed. It loads tsc's dist/ modules through Node's ESM loader, which
// costs a few ms more than the CLI's bundle.
import { bulkSource } from '../../dist/proc/bulk.js';
import { readCmdline } from '../../dist/proc/cmdline.js';
import { openProcSource } from '../../dist/proc/source.js';
import { readStatus } from '../../dist/proc/status.js';
import { ProcessTable } from '../../dist/proc/table.js';

const mode = process.argv[2] ?? 'parse';
if (mode !== 'parse' && mode !== 'snapshots') {
  process.stderr.write(`floor: unknown mode '${mode}': give none or 'snapshots'\n`);
  process.exit(2);
}
const source = await bulkSource(openProcSource('/proc'));
if (source.constructor.name !== 'BulkProcSource') {
  process.stderr.write('floor: the native helper did not read (native/build/daemon-check-helper missing?)\n');
  process.exit(2);
}
const table = ProcessTable.read(source);
let n = 0;
if (mode === 'parse') {
  for (const st of table.all()) {
    try {
      readStatus(source, st.pid);
      readCmdline(source, st.pid);
      n++;
    } catch {
      /* gone meanwhile, as in a scan */
    }
  }
} else {
  const { hostFor } = await import('../../dist/host/reader.js');
  const { readSnapshot } = await import('../../dist/snapshot/read.js');
  const { isKernelThread } = await import('../../dist/proc/stat.js');
  const { scanRunCache } = await import('../../dist/snapshot/cache.js');
  // As a scan: the run's caches and peer index, this process left out.
  const cache = scanRunCache(source, table, new Set([process.pid]));
  const host = hostFor(source, true);
  for (const st of table.all()) {
    if (st.pid === process.pid || st.state === 'Z' || isKernelThread(st)) continue;
    try {
      cache.status.set(st.pid, readStatus(source, st.pid));
      readSnapshot(source, st.pid, { host, cache, plan: 'scan-full' });
      n++;
    } catch {
      /* gone meanwhile, as in a scan */
    }
  }
}
if (n === 0) process.exit(2);
