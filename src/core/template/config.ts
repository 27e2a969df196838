// consul-template configuration (config/config.go, consul.go, template.go, wait.go, retry.go):
// HCL or JSON files (a file or every file of a directory), merged left to right, then the
// command-line flags on top. Unknown keys are refused with mapstructure's wording.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseHcl } from '../config/hcl.js';
import { durationValue, parseGoDuration } from './duration.js';
import { parseLevel, type Level } from './log.js';
import { DEFAULT_RETRY, type RetryPolicy } from './watch/retry.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface WaitConfig {
  minMs: number;
  maxMs: number;
}

export interface TemplateConfig {
  source: string;
  contents: string;
  destination: string;
  command: string;
  commandTimeoutMs: number;
  /** undefined: keep the existing file's mode (0644 for a new file). */
  perms: number | undefined;
  backup: boolean;
  leftDelim: string;
  rightDelim: string;
  wait: WaitConfig | undefined;
  errorOnMissingKey: boolean;
  createDestDirs: boolean;
  errFatal: boolean | undefined;
}

export interface SslConfig {
  enabled: boolean;
  verify: boolean;
  cert?: string;
  key?: string;
  caCert?: string;
  caPath?: string;
  serverName?: string;
}

export interface Config {
  consul: {
    address?: string;
    token?: string;
    tokenFile?: string;
    auth?: { username: string; password: string };
    retry: RetryPolicy;
    ssl: SslConfig;
  };
  logLevel: Level;
  pidFile: string;
  maxStaleMs: number;
  blockQueryWaitMs: number;
  wait: WaitConfig | undefined;
  killSignal: string;
  reloadSignal: string;
  exec: { command: string; killSignal: string; reloadSignal: string; killTimeoutMs: number } | undefined;
  templateErrFatal: boolean;
  defaultDelims: { left: string; right: string };
  templates: TemplateConfig[];
}

export function defaultConfig(): Config {
  return {
    consul: { retry: { ...DEFAULT_RETRY }, ssl: { enabled: false, verify: true } },
    logLevel: 'warn',
    pidFile: '',
    maxStaleMs: 2000,
    blockQueryWaitMs: 60_000,
    wait: undefined,
    killSignal: 'SIGINT',
    reloadSignal: 'SIGHUP',
    exec: undefined,
    templateErrFatal: true,
    defaultDelims: { left: '', right: '' },
    templates: [],
  };
}

export function newTemplateConfig(): TemplateConfig {
  return {
    source: '',
    contents: '',
    destination: '',
    command: '',
    commandTimeoutMs: 30_000,
    perms: undefined,
    backup: false,
    leftDelim: '',
    rightDelim: '',
    wait: undefined,
    errorOnMissingKey: false,
    createDestDirs: true,
    errFatal: undefined,
  };
}

/** consul-template's ParseWaitConfig: "min" (max = 4 x min) or "min:max". */
export function parseWait(s: string): WaitConfig {
  const t = s.trim();
  if (t === '') throw new ConfigError('wait: cannot be empty');
  const parts = t.split(':');
  if (parts.length > 2) throw new ConfigError('wait: invalid format');
  const minMs = parseGoDuration(parts[0]!.trim());
  const maxMs = parts.length === 2 ? parseGoDuration(parts[1]!.trim()) : 4 * minMs;
  if (minMs < 0 || maxMs < 0) throw new ConfigError('wait: cannot be negative');
  if (maxMs < minMs) throw new ConfigError('wait: min must be less than max');
  return { minMs, maxMs };
}

/** consul-template's ParseTemplateConfig for -template "source:destination[:command]". */
export function parseTemplateFlag(s: string): TemplateConfig {
  if (s.trim() === '') throw new ConfigError('template: cannot be empty');
  const parts = s.match(/([a-zA-Z]:)?([^:]+)/g) ?? [];
  const t = newTemplateConfig();
  t.source = parts[0] ?? '';
  t.destination = parts[1] ?? '';
  t.command = parts.slice(2).join(':');
  return t;
}

/** `"source" => "destination"` as consul-template displays a template. */
export function displayTemplate(t: TemplateConfig): string {
  return `${JSON.stringify(t.source || '(dynamic)')} => ${JSON.stringify(t.destination)}`;
}

// ---- decoding a parsed file (HCL blocks are lists of maps; JSON may use objects or lists)

type Obj = Record<string, unknown>;

function asObject(v: unknown, path: string): Obj {
  if (Array.isArray(v)) {
    if (v.length === 1) return asObject(v[0], path);
    if (v.length === 0) return {};
    throw new ConfigError(`'${path}': expected a map, got 'slice'`);
  }
  if (typeof v === 'object' && v !== null) return v as Obj;
  throw new ConfigError(`'${path}' expected a map, got '${typeof v === 'number' ? 'int' : typeof v}'`);
}

class Decoder {
  readonly errors: string[] = [];

  keys(obj: Obj, path: string, allowed: readonly string[]): void {
    const bad = Object.keys(obj).filter((k) => !allowed.includes(k));
    if (bad.length > 0) this.errors.push(`'${path}' has invalid keys: ${bad.sort().join(', ')}`);
  }

  str(v: unknown, path: string): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    this.errors.push(`'${path}' expected type 'string', got unconvertible type '${Array.isArray(v) ? '[]interface {}' : typeof v}'`);
    return '';
  }

  bool(v: unknown, path: string): boolean {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && ['true', 'false', '1', '0'].includes(v)) return v === 'true' || v === '1';
    this.errors.push(`'${path}' expected type 'bool', got unconvertible type '${typeof v}'`);
    return false;
  }

  int(v: unknown, path: string): number {
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
    this.errors.push(`'${path}' expected type 'int', got unconvertible type '${typeof v}'`);
    return 0;
  }

  duration(v: unknown, path: string): number {
    try {
      return durationValue(v, path);
    } catch (err) {
      this.errors.push(`error decoding '${path}': ${(err as Error).message.replace(`${path}: `, '')}`);
      return 0;
    }
  }

  wait(v: unknown, path: string): WaitConfig | undefined {
    if (typeof v === 'string') {
      try {
        return parseWait(v);
      } catch (err) {
        this.errors.push(`error decoding '${path}': ${(err as Error).message}`);
        return undefined;
      }
    }
    const o = asObject(v, path);
    this.keys(o, path, ['min', 'max', 'enabled']);
    if (o.enabled === false) return undefined;
    const minMs = o.min === undefined ? 0 : this.duration(o.min, `${path}.min`);
    const maxMs = o.max === undefined ? 4 * minMs : this.duration(o.max, `${path}.max`);
    if (maxMs < minMs) this.errors.push(`'${path}': min must be less than max`);
    return minMs === 0 && maxMs === 0 ? undefined : { minMs, maxMs };
  }
}

/** A file's settings over `base` (templates are appended). Throws ConfigError. */
export function applyConfigObject(base: Config, raw: Obj, where: string): Config {
  const c: Config = structuredClone(base);
  const d = new Decoder();
  d.keys(raw, '', [
    'consul', 'retry', 'max_stale', 'log_level', 'pid_file', 'wait', 'template', 'kill_signal', 'reload_signal',
    'exec', 'block_query_wait', 'template_error_fatal', 'default_delimiters', 'syslog',
  ]);
  for (const [k, v] of Object.entries(raw)) {
    switch (k) {
      case 'consul':
        if (typeof v === 'string') c.consul.address = v; // the older `consul = "host:port"`
        else applyConsul(c, asObject(v, 'consul'), d);
        break;
      case 'retry': {
        // The older top-level `retry = "10s"`: the wait between attempts after a failure.
        const ms = d.duration(v, 'retry');
        c.consul.retry = { ...c.consul.retry, backoffMs: ms, maxBackoffMs: ms };
        break;
      }
      case 'max_stale':
        c.maxStaleMs = d.duration(v, 'max_stale');
        break;
      case 'block_query_wait':
        c.blockQueryWaitMs = d.duration(v, 'block_query_wait');
        break;
      case 'log_level': {
        const s = d.str(v, 'log_level');
        const level = parseLevel(s);
        if (!level) d.errors.push(`'log_level': invalid log level ${JSON.stringify(s)}`);
        else c.logLevel = level;
        break;
      }
      case 'pid_file':
        c.pidFile = d.str(v, 'pid_file');
        break;
      case 'wait':
        c.wait = d.wait(v, 'wait');
        break;
      case 'kill_signal':
        c.killSignal = d.str(v, 'kill_signal');
        break;
      case 'reload_signal':
        c.reloadSignal = d.str(v, 'reload_signal');
        break;
      case 'template_error_fatal':
        c.templateErrFatal = d.bool(v, 'template_error_fatal');
        break;
      case 'default_delimiters': {
        const o = asObject(v, 'default_delimiters');
        d.keys(o, 'default_delimiters', ['left', 'right']);
        if (o.left !== undefined) c.defaultDelims.left = d.str(o.left, 'default_delimiters.left');
        if (o.right !== undefined) c.defaultDelims.right = d.str(o.right, 'default_delimiters.right');
        break;
      }
      case 'syslog':
        break; // accepted for compatibility; logs go to stderr
      case 'exec': {
        const o = asObject(v, 'exec');
        d.keys(o, 'exec', ['command', 'kill_signal', 'kill_timeout', 'reload_signal', 'splay', 'enabled']);
        c.exec = {
          command: Array.isArray(o.command) ? o.command.map((x) => d.str(x, 'exec.command')).join(' ') : d.str(o.command ?? '', 'exec.command'),
          killSignal: o.kill_signal === undefined ? 'SIGINT' : d.str(o.kill_signal, 'exec.kill_signal'),
          reloadSignal: o.reload_signal === undefined ? '' : d.str(o.reload_signal, 'exec.reload_signal'),
          killTimeoutMs: o.kill_timeout === undefined ? 30_000 : d.duration(o.kill_timeout, 'exec.kill_timeout'),
        };
        break;
      }
      case 'template': {
        const list = Array.isArray(v) ? v : [v];
        list.forEach((t, i) => c.templates.push(decodeTemplate(asObject(t, `template[${i}]`), `template[${i}]`, d)));
        break;
      }
    }
  }
  if (d.errors.length > 0) {
    throw new ConfigError(
      `from file: ${where}: mapstructure decode failed: ${d.errors.length} error(s) decoding:\n\n${d.errors.map((e) => `* ${e}`).join('\n')}`,
    );
  }
  return c;
}

function applyConsul(c: Config, o: Obj, d: Decoder): void {
  d.keys(o, 'consul', ['address', 'token', 'token_file', 'auth', 'retry', 'ssl', 'transport', 'namespace']);
  if (o.address !== undefined) c.consul.address = d.str(o.address, 'consul.address');
  if (o.token !== undefined) c.consul.token = d.str(o.token, 'consul.token');
  if (o.token_file !== undefined) c.consul.tokenFile = d.str(o.token_file, 'consul.token_file');
  if (o.auth !== undefined) {
    const a = asObject(o.auth, 'consul.auth');
    d.keys(a, 'consul.auth', ['enabled', 'username', 'password']);
    if (a.enabled !== false && a.username !== undefined) {
      c.consul.auth = { username: d.str(a.username, 'consul.auth.username'), password: d.str(a.password ?? '', 'consul.auth.password') };
    }
  }
  if (o.retry !== undefined) {
    const r = asObject(o.retry, 'consul.retry');
    d.keys(r, 'consul.retry', ['enabled', 'attempts', 'backoff', 'max_backoff']);
    const p = c.consul.retry;
    if (r.enabled !== undefined) p.enabled = d.bool(r.enabled, 'consul.retry.enabled');
    if (r.attempts !== undefined) p.attempts = d.int(r.attempts, 'consul.retry.attempts');
    if (r.backoff !== undefined) p.backoffMs = d.duration(r.backoff, 'consul.retry.backoff');
    if (r.max_backoff !== undefined) p.maxBackoffMs = d.duration(r.max_backoff, 'consul.retry.max_backoff');
  }
  if (o.ssl !== undefined) {
    const s = asObject(o.ssl, 'consul.ssl');
    d.keys(s, 'consul.ssl', ['enabled', 'verify', 'cert', 'key', 'ca_cert', 'ca_path', 'server_name']);
    const ssl = c.consul.ssl;
    ssl.enabled = s.enabled === undefined ? true : d.bool(s.enabled, 'consul.ssl.enabled');
    if (s.verify !== undefined) ssl.verify = d.bool(s.verify, 'consul.ssl.verify');
    if (s.cert !== undefined) ssl.cert = d.str(s.cert, 'consul.ssl.cert');
    if (s.key !== undefined) ssl.key = d.str(s.key, 'consul.ssl.key');
    if (s.ca_cert !== undefined) ssl.caCert = d.str(s.ca_cert, 'consul.ssl.ca_cert');
    if (s.ca_path !== undefined) ssl.caPath = d.str(s.ca_path, 'consul.ssl.ca_path');
    if (s.server_name !== undefined) ssl.serverName = d.str(s.server_name, 'consul.ssl.server_name');
  }
}

function decodeTemplate(o: Obj, path: string, d: Decoder): TemplateConfig {
  d.keys(o, path, [
    'source', 'contents', 'destination', 'command', 'command_timeout', 'exec', 'perms', 'backup', 'left_delimiter',
    'right_delimiter', 'wait', 'error_on_missing_key', 'create_dest_dirs', 'error_fatal', 'user', 'group',
  ]);
  const t = newTemplateConfig();
  if (o.source !== undefined) t.source = d.str(o.source, `${path}.source`);
  if (o.contents !== undefined) t.contents = d.str(o.contents, `${path}.contents`);
  if (o.destination !== undefined) t.destination = d.str(o.destination, `${path}.destination`);
  const cmd = (v: unknown, p: string): string => (Array.isArray(v) ? v.map((x) => d.str(x, p)).join(' ') : d.str(v, p));
  if (o.command !== undefined) t.command = cmd(o.command, `${path}.command`);
  if (o.command_timeout !== undefined) t.commandTimeoutMs = d.duration(o.command_timeout, `${path}.command_timeout`);
  if (o.exec !== undefined) {
    const e = asObject(o.exec, `${path}.exec`);
    d.keys(e, `${path}.exec`, ['command', 'timeout']);
    if (e.command !== undefined) t.command = cmd(e.command, `${path}.exec.command`);
    if (e.timeout !== undefined) t.commandTimeoutMs = d.duration(e.timeout, `${path}.exec.timeout`);
  }
  if (o.perms !== undefined) {
    const p = o.perms;
    if (typeof p === 'number') t.perms = p;
    else {
      const s = d.str(p, `${path}.perms`);
      if (!/^0?[0-7]{1,4}$/.test(s)) d.errors.push(`error decoding '${path}.perms': invalid file mode ${JSON.stringify(s)}`);
      else t.perms = Number.parseInt(s, 8);
    }
  }
  if (o.backup !== undefined) t.backup = d.bool(o.backup, `${path}.backup`);
  if (o.left_delimiter !== undefined) t.leftDelim = d.str(o.left_delimiter, `${path}.left_delimiter`);
  if (o.right_delimiter !== undefined) t.rightDelim = d.str(o.right_delimiter, `${path}.right_delimiter`);
  if (o.wait !== undefined) t.wait = d.wait(o.wait, `${path}.wait`);
  if (o.error_on_missing_key !== undefined) t.errorOnMissingKey = d.bool(o.error_on_missing_key, `${path}.error_on_missing_key`);
  if (o.create_dest_dirs !== undefined) t.createDestDirs = d.bool(o.create_dest_dirs, `${path}.create_dest_dirs`);
  if (o.error_fatal !== undefined) t.errFatal = d.bool(o.error_fatal, `${path}.error_fatal`);
  return t;
}

/** Parse one config file's text: JSON when it looks like JSON, HCL otherwise. */
export function parseConfigText(text: string, where: string): Obj {
  const trimmed = text.trimStart();
  try {
    if (trimmed.startsWith('{') && where.endsWith('.json')) return JSON.parse(text) as Obj;
    return parseHcl(text);
  } catch (err) {
    // HCL's parser also reads JSON-ish input; report its error as consul-template does.
    throw new ConfigError(`from file: ${where}: error decoding config: ${(err as Error).message}`);
  }
}

/** consul-template's FromPath: a file, or every regular file of a directory in lexical order. */
export function loadConfigPath(base: Config, path: string): Config {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ConfigError(`missing file/folder: ${path}`);
  }
  if (st.isDirectory()) {
    let c = base;
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      if (statSync(full).isFile()) c = loadConfigPath(c, full);
    }
    return c;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`from file: ${path}: ${(err as Error).message}`);
  }
  return applyConfigObject(base, parseConfigText(text, path), path);
}

/** Checks after merging: every template has a source or contents, and not both. */
export function finalizeConfig(c: Config): Config {
  for (const t of c.templates) {
    if (t.source !== '' && t.contents !== '') throw new ConfigError("template: cannot specify both 'source' and 'contents'");
    if (t.source === '' && t.contents === '') throw new ConfigError("template: must specify exactly one of 'source' or 'contents'");
    if (t.leftDelim === '') t.leftDelim = c.defaultDelims.left;
    if (t.rightDelim === '') t.rightDelim = c.defaultDelims.right;
  }
  return c;
}
