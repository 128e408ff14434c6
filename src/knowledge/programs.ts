/**
 * The knowledge table: one row per well-known daemon, server, supervisor,
 * multiplexer or container init, saying what it does about daemonizing and
 * how to keep it in the foreground. This is the one place these facts live;
 * the rows are split by kind only to keep each file readable.
 */
import { DATA_PROGRAMS } from './programs-data.js';
import { SERVER_PROGRAMS } from './programs-servers.js';
import { HOLDER_PROGRAMS } from './programs-holders.js';
import { SYSTEM_PROGRAMS } from './programs-system.js';
import type { ProgramInfo } from './types.js';

export const PROGRAMS: readonly ProgramInfo[] = Object.freeze([
  ...SERVER_PROGRAMS,
  ...DATA_PROGRAMS,
  ...SYSTEM_PROGRAMS,
  ...HOLDER_PROGRAMS,
]);
