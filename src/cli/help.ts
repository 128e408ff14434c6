/** The examples and notes each command's --help ends with, fitted to the terminal. */
import { auditExitHelp, runExitHelp } from '../report/exit-codes.js';
import { isTerminal } from './output.js';
import { terminalWidth, visibleLength, wrap } from '../report/layout.js';

export const examples = (): string => `
Examples:
  daemon-check 1234                      audit pid 1234 (a table on a terminal)
  daemon-check 1234 --json               the same report as JSON
  daemon-check 1234 --brief              only the answer: verdict, what ends it, what to do
  daemon-check --pidfile /run/app.pid    audit the process a pidfile names, and the pidfile
  daemon-check --name nginx              audit every process called nginx
  daemon-check scan                      every background job of yours that will not survive logout
  daemon-check run -- mycmd --flag       start mycmd as a textbook daemon (instead of nohup mycmd &)
  daemon-check explain own-session       why a rule exists and how to fix a miss

${auditExitHelp()}`;

export const runHelp = (): string => `
Examples:
  daemon-check run -- ./server --port 8080
  daemon-check run --pidfile /run/app.pid --stdout /var/log/app.log --stderr /var/log/app.log -- app
  daemon-check run --user nobody --wait-ready=5 -- my-notify-daemon
  daemon-check run --pidfile /run/nginx-x.pid -- nginx -c /etc/nginx/x.conf

A program that forks itself away (nginx, redis-server --daemonize yes, memcached -d)
exits 0 while a process it started lives on: within --settle seconds run follows it to
that process (the one holding the pidfile lock), writes its pid into the pidfile and
audits it, or stops everything it started and names the program's foreground option.
Either way run knows only once --settle is over (what keeps running, what it left),
so a start takes that long, unless the program fails or sends READY=1 (--wait-ready);
--settle 0 returns at once and follows nothing.

${runExitHelp()}`;

export const SCAN_HELP = `
Examples:
  daemon-check scan                          your background processes, worst first
  daemon-check scan --all                    every user's (as root)
  daemon-check scan --all --format prometheus --output /var/lib/node_exporter/daemon_check.prom
                                             metrics for node_exporter's textfile collector
  daemon-check scan --json | jq '.processes[] | select(.verdict == "not-a-daemon") | .pid'

Kernel threads, zombies and processes in a terminal's foreground are not listed, nor (without --all) this
scan's own shell and terminal. Exit code 0 when the scan ran; 2 for a bad command line, including an
--output FILE that cannot be written.`;

export const UNIT_HELP = `
Examples:
  daemon-check unit 1234 > /etc/systemd/system/app.service     a systemd unit for pid 1234's program
  daemon-check unit 1234 --for supervisord                      a [program:x] section for supervisord

Environment variable names go in a comment; their values are written only with --env (they may hold secrets).`;

export const TREE_HELP = `
Examples:
  daemon-check tree $$          your shell's session: its process groups, which one owns the terminal
  daemon-check tree 1234 --ascii   the same in ASCII (the default when LANG is not UTF-8)`;

export const POSTMORTEM_HELP = `
Examples:
  daemon-check postmortem 1234                     how pid 1234 ended, as far as the host still knows
  daemon-check postmortem --pidfile /run/app.pid   the process a stale pidfile names
  daemon-check postmortem --name myjob --since 2h  the last process called myjob that ended in the last 2 hours
  daemon-check postmortem 1234 --journal /var/lib/daemon-check/journal/app.jsonl --format json

Sources: watch journals (--journal, else $DAEMON_CHECK_JOURNAL_DIR or /var/lib/daemon-check/journal
and ~/.local/state/daemon-check/journal), the kernel log (/dev/kmsg, else dmesg), the pidfile,
journald (logind) and /var/log/wtmp. A source that cannot be read is named, with why.
Exit codes: 0 an answer was given (unknown included), 2 a bad command line (an unusable pidfile
or --journal included), 3 the process is still running (audit it: daemon-check PID).`;
export const WATCH_HELP = `
Examples:
  daemon-check watch 1234 1300            how pids 1234 and 1300 end, and who ends them
  daemon-check watch --name worker --tree --for 2h --journal /var/log/daemon-check.jsonl
                                          every worker and what it starts, for two hours, kept in a journal
  daemon-check watch -- ./job.sh          start ./job.sh and watch it and everything it starts
  daemon-check watch 1234 --format json   JSON lines: one per event, then the summary

As root the watch reads tracefs signal events and the proc connector (docs/watch.md). Without root,
watch -- CMD is the parent of what it watches (exact exit statuses); watch PID sees only the time of death.
--ptrace traces the processes instead (as root, so does a watch where tracefs cannot be had), with every
signal's sender, as any user may trace its own: the traced program then has a tracer (strace and gdb
cannot attach) and stops on every signal it is sent.
SIGINT or SIGTERM stops it and prints what it saw.
Exit codes: 0 the watch ran and told what it saw; 2 bad command line (a --for that is not a duration, a
--journal that cannot be written); 3 cannot be watched (no such process, a pidfile without a process,
gone while starting, tracing refused).`;

/**
 * Help text fitted to the terminal, as commander fits the options: an example
 * line ("  daemon-check scan    what it does") wraps its description under
 * itself, prose wraps with its own indent. Piped help is left as written.
 */
export function fitHelp(text: string): string {
  const tty = isTerminal(1);
  const width = terminalWidth(tty, tty ? process.stdout.columns : undefined, process.env);
  if (width === null) return text;
  return text
    .split('\n')
    .flatMap((line) => {
      if (visibleLength(line) <= width) return [line];
      const ex = /^(\s*daemon-check\b.*?\S)(\s{2,})(\S.*)$/.exec(line);
      const column = ex ? ex[1]!.length + ex[2]!.length : 0;
      if (ex && column <= width - 24) return wrap(ex[3]!, width, ex[1]! + ex[2]!, ' '.repeat(column));
      if (ex) return [...wrap(ex[1]!, width, '', '    '), ...wrap(ex[3]!, width, '      ', '      ')];
      const indent = /^\s*/.exec(line)![0];
      return wrap(line.trimStart(), width, indent, indent);
    })
    .join('\n');
}
