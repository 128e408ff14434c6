/**
 * The JSON Schemas (draft-07) of the watch's JSON lines, built from the same
 * constants as the code (the causes, mechanisms, kinds), so
 * schema/watch-event.schema.json and schema/watch-summary.schema.json can
 * never name a cause the story does not tell. scripts/generate-docs.mjs
 * writes them; test/unit/docs.test.ts fails when they are out of date. Event lines
 * are open (the helper may add fields); the summary's endings are too.
 */
import { arrayOf, enumOf, int, obj, orNull, processRef, str, type Schema } from '../docs/schema.js';
import { FATE_EVENTS, OUTCOMES } from '../core/types.js';
import { CAUSES, DISPOSITIONS, MECHANISMS, SIGNAL_RESULTS } from './events.js';
import { WATCH_SCHEMA_VERSION } from './summary.js';

const time = { type: 'number', description: 'seconds since the epoch (CLOCK_REALTIME), microseconds as the fraction' };
const signalName = str({ pattern: '^SIG' });
const nullableInt = { type: ['integer', 'null'] };

/** One kind of event line: `kind` fixed, `t` and the kind's own fields required. */
function line(kind: string, required: string[], properties: Schema): Schema {
  return obj(['kind', 't', ...required], { kind: { const: kind }, t: time, ...properties }, false);
}

const events: Record<string, Schema> = {
  signal: line('signal', ['pid', 'tid', 'sig', 'signal', 'code', 'codeName', 'sender', 'group', 'result', 'errno'], {
    pid: int({ description: "the target's tgid" }),
    tid: int(),
    sig: int({ minimum: 1 }),
    signal: signalName,
    code: int({ description: 'si_code' }),
    codeName: str({ description: 'SI_USER, SI_KERNEL, SI_TKILL, SI_QUEUE, or a fault code such as SEGV_MAPERR' }),
    sender: { ...orNull(processRef), description: 'the sender, its comm as it was when the signal was sent' },
    group: { type: 'boolean' },
    result: enumOf(SIGNAL_RESULTS),
    errno: int(),
    disposition: {
      ...orNull(enumOf(DISPOSITIONS)),
      description: 'what became of it: ignored, caught, fatal or stopped (null: its delivery was not seen)',
    },
    context: {
      type: 'boolean',
      description:
        "true: a signal to the session leader of a watched process, not to a watched process (the terminal's hangup)",
    },
  }),
  fork: line('fork', ['pid', 'child', 'comm'], { pid: int(), child: int(), comm: str() }),
  exec: line('exec', ['pid', 'comm', 'filename'], { pid: int(), comm: str(), filename: { type: ['string', 'null'] } }),
  setsid: line('setsid', ['pid', 'sid'], { pid: int(), sid: int() }),
  exit: line('exit', ['pid', 'comm', 'status', 'exitCode', 'signal', 'core'], {
    pid: int(),
    comm: str(),
    status: { ...nullableInt, description: 'the wait(2) status; null when only the time of death is known' },
    exitCode: nullableInt,
    signal: orNull(signalName),
    core: { type: 'boolean' },
  }),
  oom: line('oom', ['pid', 'comm', 'uid', 'rssKb', 'oomScoreAdj', 'cgroup'], {
    pid: int(),
    comm: str(),
    uid: int(),
    rssKb: int({ minimum: 0 }),
    oomScoreAdj: int(),
    cgroup: { type: ['string', 'null'] },
  }),
  lost: line('lost', ['source', 'count'], { source: enumOf(['tracefs', 'connector']), count: int({ minimum: 1 }) }),
};

export function watchEventSchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `urn:daemon-check:watch-event:${WATCH_SCHEMA_VERSION}`,
    title: `daemon-check watch event line (schemaVersion ${WATCH_SCHEMA_VERSION})`,
    description: 'One line of `daemon-check watch --format json` (and of its --journal) before the summary line.',
    definitions: events,
    oneOf: Object.keys(events).map((k) => ({ $ref: `#/definitions/${k}` })),
  };
}

const ending = obj(
  ['pid', 'comm', 'ended', 'signal', 'status', 'sender', 'code', 'cause', 'story', 'predicted'],
  {
    pid: int({ minimum: 1 }),
    comm: str(),
    ended: enumOf(['signal', 'exit', 'alive']),
    signal: orNull(signalName),
    status: { ...nullableInt, description: 'the exit status (exit 3: 3); null when a signal ended it or it is alive' },
    waitStatus: { ...nullableInt, description: 'the wait(2) status as the kernel gave it (exit 3: 768), or null' },
    sender: orNull(processRef),
    code: { type: ['string', 'null'] },
    cause: enumOf(CAUSES),
    story: str(),
    predicted: orNull(obj(['event', 'outcome'], { event: enumOf(FATE_EVENTS), outcome: enumOf(OUTCOMES) })),
    observed: enumOf(['dies', 'lives']),
    agrees: { type: ['boolean', 'null'] },
    at: orNull(str({ format: 'date-time' })),
    core: { type: 'boolean' },
    survived: orNull(obj(['cause', 'signal'], { cause: enumOf(CAUSES), signal: signalName })),
    evidence: { ...arrayOf(int({ minimum: 0 })), description: "positions (from 0) among this watch's event lines" },
  },
  false,
);

export function watchSummarySchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `urn:daemon-check:watch-summary:${WATCH_SCHEMA_VERSION}`,
    title: `daemon-check watch summary (schemaVersion ${WATCH_SCHEMA_VERSION})`,
    description: 'The last line of `daemon-check watch --format json` (and of each watch in a --journal).',
    definitions: { ending },
    ...obj(
      ['kind', 'schemaVersion', 'mechanism', 'lost', 'startedAt', 'endedAt', 'endings'],
      {
        kind: { const: 'summary' },
        schemaVersion: { const: WATCH_SCHEMA_VERSION },
        mechanism: orNull(enumOf(MECHANISMS)),
        lost: int({ minimum: 0 }),
        startedAt: str({ format: 'date-time' }),
        endedAt: str({ format: 'date-time' }),
        reason: enumOf(['all-ended', 'timeout', 'signal', 'error']),
        endings: arrayOf({ $ref: '#/definitions/ending' }),
      },
      false,
    ),
  };
}

/** A schema's file text: two-space JSON and a final newline, as it is committed. */
export const schemaText = (schema: Schema): string => JSON.stringify(schema, null, 2) + '\n';
