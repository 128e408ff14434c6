// The layers of src/, lowest first, and the lint rule that keeps them: a
// module may import its own layer or a lower one, never a higher one. An
// upward import is how a circle starts (a low module names a type of a higher
// one, which imports the low one back), so type-only imports count too.
//
// Shaped like ESLint's own rules (lib/rules/*.js): meta plus create(), with
// the resolving kept to node:path. Used by eslint.config.js as the local
// plugin `daemon-check`; test/layers-rule.test.ts runs it on snippets.

import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Each layer: its name and what of src/ it holds (a folder ends with '/').
 * Beside the nine named layers of the architecture (core, proc, host,
 * snapshot, fate, checks, diagnose, report, cli), the other folders and the
 * root files sit where their imports put them:
 * - knowledge/ and classify.ts (pure tables of program names, and the kinds
 *   judged from them) between core and proc: host/manager.ts and
 *   snapshot/read.ts read them, and they import nothing above core;
 * - target.ts and capture.ts (finding the target, recording a fixture) with
 *   snapshot: they read /proc and the host as a snapshot does;
 * - context.ts (deriveContext), profile.ts, audit-types.ts (the audit's
 *   options, results and report, which name the check ids) and verdict.ts
 *   (the rules over check results) with checks;
 * - report-facts.ts (the report's facts section) with diagnose, whose
 *   command-line reading it shares;
 * - audit.ts, scan.ts and unit/ in `audit`, between diagnose and report:
 *   they put the checks and the diagnosis together, and report/ renders
 *   their results;
 * - docs/ (generated check docs and schema) with report;
 * - watch/ (observing endings: the helper's event reader, the story told
 *   from the events, its renderers) and postmortem/ (what the host still
 *   knows of an ending, the watch journals among it) above report: they
 *   hold what they observe against the audit's predictions;
 * - try/ (`daemon-check try`: a throwaway login, its processes audited,
 *   the login ended and the endings watched) above postmortem: it uses the
 *   audit and the watch;
 * - api.ts, index.ts (the public entry points) and daemonize/ in `api`,
 *   between postmortem and cli.
 */
export const LAYERS = [
  { name: 'core', holds: ['core/'] },
  { name: 'knowledge', holds: ['knowledge/', 'classify.ts'] },
  { name: 'proc', holds: ['proc/'] },
  { name: 'host', holds: ['host/'] },
  { name: 'snapshot', holds: ['snapshot/', 'target.ts', 'capture.ts'] },
  { name: 'fate', holds: ['fate/'] },
  { name: 'checks', holds: ['checks/', 'context.ts', 'profile.ts', 'audit-types.ts', 'verdict.ts'] },
  { name: 'diagnose', holds: ['diagnose/', 'report-facts.ts'] },
  { name: 'audit', holds: ['audit.ts', 'scan.ts', 'unit/'] },
  { name: 'report', holds: ['report/', 'docs/'] },
  { name: 'watch', holds: ['watch/'] },
  { name: 'postmortem', holds: ['postmortem/'] },
  { name: 'try', holds: ['try/'] },
  { name: 'api', holds: ['api.ts', 'index.ts', 'daemonize/'] },
  { name: 'cli', holds: ['cli/'] },
];

/** The layer index of a path relative to src/ ('proc/fd.ts'), or -1 when no layer holds it. */
function layerOf(layers, rel) {
  const posix = rel.split(sep).join('/');
  return layers.findIndex((l) => l.holds.some((h) => (h.endsWith('/') ? posix.startsWith(h) : posix === h)));
}

/** The source file a relative specifier names: TypeScript's NodeNext imports say .js for a .ts file. */
function resolveSpecifier(fromFile, spec) {
  return resolve(dirname(fromFile), spec).replace(/\.js$/, '.ts');
}

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid a module of src/ to import from a higher layer (eslint-rules/layers.js)' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layers: {
            type: 'array',
            items: {
              type: 'object',
              properties: { name: { type: 'string' }, holds: { type: 'array', items: { type: 'string' } } },
              required: ['name', 'holds'],
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      upward:
        "'{{spec}}' is in the {{toLayer}} layer, above this module's {{fromLayer}} layer: a module imports only its own layer or lower ones (eslint-rules/layers.js)",
      unplaced: '{{file}} is in no layer: place it in LAYERS in eslint-rules/layers.js',
    },
  },
  create(context) {
    const options = context.options[0] ?? {};
    const layers = options.layers ?? LAYERS;
    const root = join(context.cwd, options.root ?? 'src');
    const file = context.filename;
    const rel = relative(root, file);
    if (rel.startsWith('..') || rel === file) return {};
    const from = layerOf(layers, rel);

    function check(source) {
      if (from === -1 || !source || typeof source.value !== 'string' || !source.value.startsWith('.')) return;
      const target = relative(root, resolveSpecifier(file, source.value));
      if (target.startsWith('..')) return;
      const to = layerOf(layers, target);
      if (to <= from) return;
      context.report({
        node: source,
        messageId: 'upward',
        data: { spec: source.value, toLayer: layers[to]?.name ?? '(none)', fromLayer: layers[from].name },
      });
    }

    return {
      Program(node) {
        if (from === -1) context.report({ node, messageId: 'unplaced', data: { file: `src/${rel}` } });
      },
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      // `import('../x.js').T` in a type position (typescript-eslint's AST calls its string `argument.literal`).
      TSImportType: (node) => check(node.source ?? node.argument?.literal),
    };
  },
};

export const layersPlugin = { rules: { layers: layersRule } };
