/**
 * No sentence of a report may contradict its fate model. Every text outside
 * `fate` (check details, startedAs, remediation) is searched for claims about
 * an event, and each claim must agree with that event's outcome.
 */
import type { FateEvent, Outcome } from '../../src/core/types.js';
import type { Report } from '../../src/audit-types.js';

interface Claim {
  event: FateEvent;
  outcome: Outcome;
  re: RegExp;
}

/** Ways a sentence can claim what an event does. */
const CLAIMS: Claim[] = [
  {
    event: 'hangup',
    outcome: 'dies',
    re: /(gets|receives) SIGHUP when|SIGHUP (reaches|kills|ends) (it|the job)|hangup[^.;,]*\b(ends it|kills it)\b|(terminal closes|terminal hangs up)[^.;,]*\b(dies|ends it|kills it)\b/i,
  },
  { event: 'hangup', outcome: 'lives', re: /hangup[^.;,]*does not end it|survives? (a|the) hangup/i },
  { event: 'shell-exit', outcome: 'dies', re: /`exit`[^.;,]*\bends it\b|shell exits[^.;,]*\b(dies|ends it)\b/i },
  { event: 'shell-exit', outcome: 'lives', re: /`exit`[^.;,]*does not end it/i },
  { event: 'logout', outcome: 'dies', re: /end of the login session[^.;,]*\bends it\b/i },
  { event: 'logout', outcome: 'lives', re: /end of the login session[^.;,]*does not end it/i },
  { event: 'stop', outcome: 'dies', re: /SIGTERM (kills it|ends it)/i },
  { event: 'stop', outcome: 'lives', re: /SIGTERM leaves it running/i },
];

/** The texts of a report outside its fate, each labelled with where it is. */
function texts(r: Report): Array<[string, string]> {
  return [
    ...r.checks.map((c): [string, string] => [`checks.${c.id}.detail`, c.detail]),
    ['startedAs.detail', r.startedAs.detail],
    ...r.remediation.map((l, i): [string, string] => [`remediation[${i}]`, l]),
  ];
}

/** Every claim in the report's texts that its fate contradicts. */
export function contradictions(r: Report): string[] {
  const out: string[] = [];
  for (const [where, text] of texts(r)) {
    for (const c of CLAIMS) {
      const m = c.re.exec(text);
      if (m && r.fate[c.event].outcome !== c.outcome) {
        out.push(
          `${where} claims "${m[0]}" (${c.event}: ${c.outcome}), but fate.${c.event} is ${r.fate[c.event].outcome}`,
        );
      }
    }
  }
  return out;
}
