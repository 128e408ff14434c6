/**
 * The JSON Schema (draft-07) of `daemon-check try --format json`, built from
 * the same constants as the code (outcomes, causes, started-as kinds, the
 * endings). scripts/generate-docs.mjs writes schema/try.schema.json;
 * test/unit/try-judge.test.ts fails when it is out of date.
 */
import { OUTCOMES, STARTED_AS_KINDS } from '../core/types.js';
import { arrayOf, enumOf, int, obj, orNull, processRef, str, type Schema } from '../docs/schema.js';
import { CAUSES } from '../watch/events.js';
import { TRY_ENDINGS, TRY_SCHEMA_VERSION } from './types.js';

const process: Schema = obj(
  [
    'pid',
    'argv',
    'comm',
    'startedAs',
    'predicted',
    'predictedWhy',
    'predictedUnless',
    'observed',
    'signal',
    'exitCode',
    'sender',
    'cause',
    'story',
    'agrees',
  ],
  {
    pid: int({ minimum: 1 }),
    argv: arrayOf(str()),
    comm: str(),
    startedAs: orNull(obj(['kind', 'detail'], { kind: enumOf(STARTED_AS_KINDS), detail: str() })),
    predicted: { ...enumOf(OUTCOMES), description: "the fate model's outcome for this ending, audited just before it" },
    predictedWhy: str(),
    predictedUnless: orNull(str()),
    observed: enumOf(['survived', 'died']),
    signal: orNull(str({ pattern: '^SIG' })),
    exitCode: orNull(int()),
    sender: orNull(processRef),
    cause: { ...orNull(enumOf(CAUSES)), description: "the watch's cause id; null: it survived, or it was not watched" },
    story: str(),
    agrees: { type: 'boolean' },
  },
);

const ending: Schema = obj(['skipped', 'foreground', 'processes', 'notFollowed', 'found', 'watched', 'kept'], {
  skipped: orNull(str()),
  foreground: { type: 'boolean' },
  processes: arrayOf({ $ref: '#/definitions/process' }),
  notFollowed: arrayOf(obj(['what', 'why'], { what: str(), why: str() })),
  found: obj(['cgroup', 'note'], { cgroup: { type: 'boolean' }, note: orNull(str()) }),
  watched: obj(['mechanism', 'note'], { mechanism: orNull(str()), note: orNull(str()) }),
  kept: arrayOf(int()),
});

export function trySchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `urn:daemon-check:try:${TRY_SCHEMA_VERSION}`,
    title: `daemon-check try (schemaVersion ${TRY_SCHEMA_VERSION})`,
    description: 'The output of `daemon-check try --format json`.',
    definitions: { process, ending },
    ...obj(['schemaVersion', 'line', 'shell', 'user', 'rc', 'endings', 'survivedAll', 'answer'], {
      schemaVersion: { const: TRY_SCHEMA_VERSION },
      line: str(),
      shell: str(),
      user: str(),
      rc: { type: 'boolean' },
      endings: obj([], Object.fromEntries(TRY_ENDINGS.map((e) => [e, { $ref: '#/definitions/ending' }]))),
      survivedAll: { type: 'boolean' },
      answer: str(),
    }),
  };
}

export const trySchemaText = (): string => JSON.stringify(trySchema(), null, 2) + '\n';
