/**
 * The shape of the knowledge table: what a well-known program does about
 * daemonizing, and how to keep it in the foreground under a supervisor.
 * Every fact here is data; src/knowledge/index.ts only reads it.
 */

/**
 * service: a server a supervisor should run in the foreground.
 * supervisor: runs other programs (runsvdir, supervisord, pm2).
 * multiplexer: a terminal multiplexer's server (tmux, screen).
 * init: a minimal pid-1 for containers (tini, dumb-init).
 * Only a service may ever be handed to a daemonizer.
 */
export type Role = 'service' | 'supervisor' | 'multiplexer' | 'init';

/**
 * How a service manager best learns the program is up.
 * notify: it sends sd_notify READY=1 (systemd Type=notify), perhaps only with notifyArgs.
 * forking: no sd_notify, but its launcher exits once the daemon is set up and
 *   a pidfile names it (Type=forking with PIDFile=).
 * simple: neither; run it in the foreground, readiness is not signalled.
 */
export type Readiness = 'notify' | 'forking' | 'simple';

/**
 * An option as spelled on a command line. A long name also matches
 * `--name=VALUE`; a short name that takes a value also matches `-nVALUE`.
 * Short options bundled with others (`-dv`) are not taken apart, except
 * by a LetterRule.
 */
export interface OptionRule {
  readonly names: readonly string[];
  /** required: the next argument (or the attached part) is its value; optional: the next argument when it does not start with '-'. */
  readonly value?: 'required' | 'optional';
  /** Counts only when its value matches. */
  readonly when?: RegExp;
}

/** Short options that mean something together, given apart or bundled: screen's `-d -m` or `-dmS`. */
export interface LetterRule {
  readonly letters: string;
}

export type FlagRule = OptionRule | LetterRule;

/** A configuration-file directive that can decide daemonizing when the command line does not. */
export interface ConfigRule {
  /** The directive as written in the file, with the value that matters: 'daemon off;', 'daemonize yes'. */
  readonly directive: string;
  /** The file read when the command line names none; absent when none is read then. */
  readonly file?: string;
  /** Options that name the file. */
  readonly fileFlags?: readonly string[];
  /** The file may be given as the first argument after the program (redis-server /etc/redis/redis.conf). */
  readonly positional?: boolean;
}

/**
 * How to turn a command line into one that stays in the foreground. `remove`,
 * `swapLetters` and `merge` are applied first; `add` is inserted (after the
 * program's own argv[0], or at the end) unless a stay flag is then present.
 */
export interface ForegroundEdit {
  readonly add?: readonly string[];
  readonly at?: 'start' | 'end';
  /** Options to drop, with their values. */
  readonly remove?: readonly OptionRule[];
  /** In short-option bundles: replace the first letter by the second (screen -dmS -> -DmS). */
  readonly swapLetters?: readonly [string, string];
  /** When the option is already there, rewrite its value instead of adding another: strip, then append text. */
  readonly merge?: { readonly flag: string; readonly strip: RegExp; readonly text: string };
}

export interface Pidfile {
  /** Where it is written by default (on Debian, where packaging sets it). */
  readonly path?: string;
  /** The option that sets it. */
  readonly flag?: string;
  /** The configuration directive that sets it. */
  readonly directive?: string;
}

export interface ProgramInfo {
  /** A stable key: 'nginx', 'redis-server', 'php-fpm'. */
  readonly id: string;
  /** Names it runs as: comm, argv[0] basename or script name. Unique across the table. */
  readonly names: readonly string[];
  /** Further names, matched against whole comm/argv[0] and their basenames: 'php-fpm8.2', a process title. */
  readonly patterns?: readonly RegExp[];
  /** A generic name ('master') counts only when argv[0] or the executable's path matches this. */
  readonly pathHint?: RegExp;
  readonly role: Role;
  /** It forks itself away when started with no options and its stock configuration. */
  readonly daemonizesByDefault: boolean;
  /** Options that make this invocation fork itself away. */
  readonly detachFlags?: readonly FlagRule[];
  /** Options that keep it in the foreground (or make it do something other than run as a daemon). */
  readonly stayFlags?: readonly FlagRule[];
  /** When both kinds are given: the last one wins (default), or one kind always does. */
  readonly precedence?: 'last' | 'detach' | 'stay';
  /** The configuration directive that decides when the command line does not. */
  readonly config?: ConfigRule;
  /** Its options that take a value, so that the command it runs (screen, tini) is not read as its own options. */
  readonly optionsWithValue?: readonly string[];
  /** How to keep it in the foreground; {} when it never forks away; null when it has no foreground mode worth giving. */
  readonly foreground: ForegroundEdit | null;
  readonly readiness: Readiness;
  /** Arguments it needs before it sends sd_notify (redis-server --supervised systemd). */
  readonly notifyArgs?: readonly string[];
  readonly pidfile?: Pidfile;
  /** A supervisor that starts what it runs again when it exits: how, and what stops it doing so. */
  readonly restarts?: { readonly how: string; readonly unless: string };
  /**
   * A master that starts a new worker when one of its workers exits (nginx,
   * php-fpm, gunicorn, uwsgi --master): how, what stops it, and the options
   * the master needs for it (uwsgi respawns only with --master).
   */
  readonly respawnsWorkers?: {
    readonly how: string;
    readonly unless: string;
    readonly needs?: readonly OptionRule[];
    /** Where the program documents it (or the source that does it). */
    readonly source: string;
  };
  /** An init that takes SIGTERM and forwards it to its child, then exits with it (tini, dumb-init). */
  readonly forwardsSignals?: boolean;
  /** A man page or the official documentation backing the options above. */
  readonly source: string;
  readonly notes?: string;
}
