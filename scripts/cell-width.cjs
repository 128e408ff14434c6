// What cli-table3 measures its cells with, in the bundled CLI
// (scripts/bundle.mjs puts it in place of string-width for cli-table3 only).
//
// string-width replaces every emoji with two columns through one very large
// regular expression, which V8 compiles on its first use in every run. A
// string made only of characters that are one column wide each (printable
// ASCII, the dashes, quotes, bullets and ellipsis of U+2010-U+2027, arrows
// U+2190-U+2193, box drawing, and the check marks the report prints) is as
// wide as it is long, and string-width is not needed for it. test/unit/bundle.test.ts
// checks every one of these characters against string-width itself.
// Measured: `daemon-check PID` (a table) took ~3.5 ms less (70.6 -> 67.1 ms,
// medians of 41 alternating runs on a busy 2-core machine).
'use strict';

const ONE_COLUMN = /^[\x20-\x7e\u2010-\u2027\u2190-\u2193\u2500-\u257f\u2713\u2717]*$/;

let full = null;

function cellWidth(text) {
  if (typeof text === 'string' && ONE_COLUMN.test(text)) return text.length;
  full ??= require('string-width');
  return full(text);
}

module.exports = cellWidth;
module.exports.default = cellWidth;
module.exports.ONE_COLUMN = ONE_COLUMN;
