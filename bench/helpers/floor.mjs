#!/usr/bin/env node
// The measured floor of a scan in Node (bench entry 18): start the native
// helper's scan-read, collect its records, and parse them as a scan does
// (the process table's stat of every process, its status and cmdline), with
// nothing judged and nothing printed.  It loads tsc's dist/ modules through
// Node's ESM loader, which costs a few ms more than the CLI's bundle.
import { bulkSource } from '../../dist/proc/bulk.js';
import { readCmdline } from '../../dist/proc/cmdline.js';
import { openProcSource } from '../../dist/proc/source.js';
import { readStatus } from '../../dist/proc/status.js';
import { ProcessTable } from '../../dist/proc/table.js';

const source = bulkSource(openProcSource('/proc'));
if (source.constructor.name !== 'BulkProcSource') {
  process.stderr.write('floor: the native helper did not read (native/build/daemon-check-helper missing?)\n');
  process.exit(2);
}
const table = ProcessTable.read(source);
let n = 0;
for (const st of table.all()) {
  try {
    readStatus(source, st.pid);
    readCmdline(source, st.pid);
    n++;
  } catch {
    /* gone meanwhile, as in a scan */
  }
}
if (n === 0) process.exit(2);
