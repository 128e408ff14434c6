/**
 * systemd-logind's KillUserProcesses= and friends (logind.conf(5)): does ending
 * a login take down what runs in its session-N.scope? Parsing follows systemd
 * v252 (Debian 12's), read from its source: src/shared/conf-parser.c
 * (config_parse, parse_line, config_parse_strv), src/basic/parse-util.c
 * (parse_boolean), src/basic/conf-files.c (drop-in order) and
 * src/login/logind-core.c (manager_shall_kill). Pure: text in, settings out;
 * host/logind.ts finds and reads the files.
 */

export interface LogindConfFile {
  path: string;
  text: string;
  /** errno when the file could not be read; `text` is then ignored. */
  error?: string | null;
}
export interface SetAt {
  path: string;
  line: number;
}
export interface LogindConf {
  killUserProcesses: boolean | null;
  /** null: never set, or reset by an empty assignment; then root alone is spared. */
  killExcludeUsers: string[] | null;
  killOnlyUsers: string[] | null;
  /** The assignment in force for the boolean; for a list, every assignment since its last reset. */
  setIn: { KillUserProcesses: SetAt | null; KillExcludeUsers: SetAt[]; KillOnlyUsers: SetAt[] };
  /** Files actually read, in order. */
  read: string[];
  /** Where logind gives up: the rest of that file and every later file are not applied. */
  stoppedAt: SetAt | null;
  /** `#KillUserProcesses=yes|no` left in the main file: logind.conf.in writes the build default there. */
  shippedDefault: boolean | null;
  problems: string[];
}
type ListKey = 'KillExcludeUsers' | 'KillOnlyUsers';

const WS = ' \t\n\r'; // string-util.h WHITESPACE
const strip = (s: string): string => {
  let a = 0;
  let b = s.length;
  while (a < b && WS.includes(s[a]!)) a++;
  while (b > a && WS.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
};

/** parse-util.c parse_boolean(): these words, case-insensitively; anything else is -EINVAL. */
export function parseSystemdBoolean(v: string): boolean | null {
  const w = v.toLowerCase();
  if (['1', 'yes', 'y', 'true', 't', 'on'].includes(w)) return true;
  if (['0', 'no', 'n', 'false', 'f', 'off'].includes(w)) return false;
  return null;
}

/**
 * extract_first_word(EXTRACT_UNQUOTE|EXTRACT_RETAIN_ESCAPE) as config_parse_strv
 * calls it: whitespace separates, '…' and "…" are unquoted, a backslash is an
 * ordinary character. An unclosed quote is -EINVAL; the words before it were
 * already appended (strv_consume per word), so they are kept.
 */
export function splitWords(v: string): { words: string[]; error: boolean } {
  const words: string[] = [];
  let i = 0;
  for (;;) {
    while (i < v.length && WS.includes(v[i]!)) i++;
    if (i >= v.length) return { words, error: false };
    let w = '';
    while (i < v.length && !WS.includes(v[i]!)) {
      const c = v[i++]!;
      if (c !== '"' && c !== "'") {
        w += c;
        continue;
      }
      const end = v.indexOf(c, i);
      if (end < 0) return { words, error: true };
      w += v.slice(i, end);
      i = end + 1;
    }
    words.push(w);
  }
}

interface State {
  conf: LogindConf;
  section: string | null;
  ignored: boolean;
  where: SetAt;
}

function assign(st: State, key: string, value: string): void {
  const { conf, where } = st;
  const at = `${where.path}:${where.line}`;
  if (key === 'KillUserProcesses') {
    const b = parseSystemdBoolean(value);
    if (b === null) conf.problems.push(`${at}: KillUserProcesses=${value} is not a boolean; logind ignores the line`);
    else {
      conf.killUserProcesses = b;
      conf.setIn.KillUserProcesses = { ...where };
    }
  } else if (key === 'KillExcludeUsers' || key === 'KillOnlyUsers') {
    const k: ListKey = key;
    const field = k === 'KillExcludeUsers' ? 'killExcludeUsers' : 'killOnlyUsers';
    // conf-parser.c config_parse_strv: empty resets to NULL (strv_free), else words are APPENDED.
    if (value === '') {
      conf[field] = null;
      conf.setIn[k] = [{ ...where }];
      return;
    }
    const { words, error } = splitWords(value);
    if (error) conf.problems.push(`${at}: unbalanced quote in ${k}=${value}; words after it are ignored`);
    if (words.length === 0) return;
    conf[field] = [...(conf[field] ?? []), ...words];
    conf.setIn[k].push({ ...where });
  } else if (/^kill/i.test(key)) {
    // Keys are matched case-sensitively (logind-gperf.gperf); a near miss is silently not what the admin meant.
    conf.problems.push(`${at}: unknown key ${key}= (keys are case-sensitive); logind ignores it`);
  }
}

/** parse_line(): returns a message when logind would abort the whole parse (a negative return). */
function parseLine(st: State, raw: string): string | null {
  const l = strip(raw);
  const at = `${st.where.path}:${st.where.line}`;
  if (l === '') return null;
  if (l.includes('\uFFFD')) return `${at}: invalid UTF-8`;
  if (l.startsWith('[')) {
    if (!l.endsWith(']')) return `${at}: invalid section header ${l}`;
    const name = l.slice(1, -1);
    if (/[\x01-\x1f"'\\\x7f]/.test(name)) return `${at}: bad characters in section header ${l}`;
    st.section = name === 'Login' ? name : null;
    st.ignored = name !== 'Login';
    if (st.ignored && !name.startsWith('X-'))
      st.conf.problems.push(`${at}: unknown section [${name}]; its lines are ignored`);
    return null;
  }
  if (st.section === null) {
    if (!st.ignored)
      st.conf.problems.push(`${at}: assignment outside of any section (no [Login] line above it); ignored`);
    return null;
  }
  const eq = l.indexOf('=');
  if (eq < 0) st.conf.problems.push(`${at}: missing '=', line ignored: ${l}`);
  else if (eq === 0) st.conf.problems.push(`${at}: missing key name before '=', line ignored`);
  else assign(st, strip(l.slice(0, eq)), strip(l.slice(eq + 1)));
  return null;
}

/** config_parse(): comments, the BOM, '\' continuations; returns where and why logind aborts, if it does. */
function parseFile(conf: LogindConf, file: LogindConfFile): { msg: string; at: SetAt } | null {
  const st: State = { conf, section: null, ignored: false, where: { path: file.path, line: 0 } };
  let cont: string | null = null;
  let bomSeen = false;
  for (const raw of file.text.split(/\r\n|\r|\n|\0/)) {
    st.where.line++;
    // The comment test comes first, on the raw line, so a comment inside a continuation is dropped.
    if (/^[ \t\n\r]*[#;]/.test(raw)) continue;
    let l = raw;
    if (!bomSeen && l.startsWith('\uFEFF')) {
      l = l.slice(1);
      bomSeen = true;
    }
    const p: string = cont === null ? l : cont + l;
    const trailing = /\\*$/.exec(p)![0].length;
    if (trailing % 2 === 1) {
      cont = `${p.slice(0, -1)} `;
      continue;
    }
    cont = null;
    const msg = parseLine(st, p);
    if (msg) return { msg, at: { ...st.where } };
  }
  const msg = cont === null ? null : parseLine(st, cont);
  return msg ? { msg, at: { ...st.where } } : null;
}

/**
 * Files in the order logind applies them (see listLogindConfFiles): the main
 * file, then drop-ins; a later assignment wins, list assignments append.
 */
export function parseLogindConf(files: LogindConfFile[]): LogindConf {
  const conf: LogindConf = {
    killUserProcesses: null,
    killExcludeUsers: null,
    killOnlyUsers: null,
    setIn: { KillUserProcesses: null, KillExcludeUsers: [], KillOnlyUsers: [] },
    read: [],
    stoppedAt: null,
    shippedDefault: null,
    problems: [],
  };
  for (const file of files) {
    // config_parse(): ENOENT is skipped; any other open/read error is returned, and
    // config_parse_many_files() stops at the first error with what was applied so far kept.
    if (file.error === 'ENOENT') continue;
    let fatal: { msg: string; at: SetAt } | null;
    if (file.error === 'EACCES' || file.error === 'EPERM') {
      // logind runs as root and reads it: only this auditor is blind to what it applies.
      conf.stoppedAt = { path: file.path, line: 0 };
      conf.problems.push(
        `${file.path}: cannot be read by this user (${file.error}), though logind, as root, reads it: run daemon-check as root to see what it sets`,
      );
      break;
    }
    if (file.error) {
      fatal = { msg: `${file.path}: cannot be read (${file.error})`, at: { path: file.path, line: 0 } };
    } else {
      conf.read.push(file.path);
      if (/\/logind\.conf$/.test(file.path) && conf.read.length === 1) {
        const m = /^[ \t]*#[ \t]*KillUserProcesses[ \t]*=[ \t]*(\S+)/m.exec(file.text);
        conf.shippedDefault = m ? parseSystemdBoolean(m[1]!) : null;
      }
      fatal = parseFile(conf, file);
    }
    if (fatal) {
      conf.stoppedAt = fatal.at;
      conf.problems.push(
        `${fatal.msg}; logind stops parsing here: the rest of this file and all later files are not applied`,
      );
      break;
    }
  }
  return conf;
}
