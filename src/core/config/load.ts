// Config sources -> one validated FileConfig -> RuntimeConfig.
// Order (later wins, lists append): defaults, dev defaults (-dev), -config-file / -config-dir
// sources in the order given (a directory's *.json files sorted by name), then command-line flags.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { unknownDefinitionKeys } from './definition-keys.js';
import { goPathError } from '../support/go-errors.js';
import { goJsonKind, goJsonSyntaxError } from '../support/json-syntax.js';
import { APPEND_KEYS, FileConfigSchema, MERGE_KEYS, type FileConfig } from './schema.js';
import { mergeTlsBlocks } from './tls-schema.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const GO_TYPE: Record<string, string> = {
  boolean: 'bool',
  number: 'int',
  string: 'string',
  array: 'slice',
  object: 'map',
  record: 'map',
};

function goTypeOf(v: unknown): string {
  if (Array.isArray(v)) return 'slice';
  if (v === null) return 'nil';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object') return 'map';
  return typeof v;
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const key = issue.path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const prefix = issue.path.length > 0 ? `${issue.path.join('.')}.` : '';
    return issue.keys.map((k) => `invalid config key ${prefix}${k}`).join('\n\t* ');
  }
  if (issue.code === 'invalid_type') {
    let value: unknown = data;
    for (const p of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[p];
    const expected = GO_TYPE[issue.expected] ?? issue.expected;
    return `'${key}' expected type '${expected}', got unconvertible type '${goTypeOf(value)}', value: '${typeof value === 'object' ? JSON.stringify(value) : String(value)}'`;
  }
  return `'${key}': ${issue.message}`;
}

/** Validate one source; the error names the source and every bad key. */
export function validateSource(name: string, data: unknown): FileConfig {
  const parsed = FileConfigSchema.safeParse(data);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => describeIssue(i, data));
  // Consul decodes service and check definitions with the rest of the file, so a key it does not
  // know inside one is the same error as an unknown top-level key (builder.go md.Unused).
  for (const k of unknownDefinitionKeys(data)) issues.push(`invalid config key ${k}`);
  if (parsed.success && issues.length === 0) return parsed.data;
  const n = issues.length;
  throw new ConfigError(`failed to parse ${name}: ${n} error${n === 1 ? '' : 's'} occurred:\n\t* ${issues.join('\n\t* ')}\n`);
}

export type ConfigFormat = 'json' | 'hcl';

/** How a -config-file / -config-dir path is read (Consul: LoadOpts.ConfigFormat, builder warnings). */
export interface ReadOptions {
  /** -config-format: every file is this format, whatever its extension. */
  format?: ConfigFormat | undefined;
  /** Receives Consul's warnings (a skipped file in a directory). */
  warn?: ((warning: string) => void) | undefined;
}

function formatFromExtension(name: string): ConfigFormat | undefined {
  if (name.endsWith('.json')) return 'json';
  if (name.endsWith('.hcl')) return 'hcl';
  return undefined;
}

/**
 * Parse one source's text (a file, or a -hcl fragment). Returns undefined for empty text, which
 * Consul skips (source.go ErrNoData). Errors read `failed to parse <name>: ...` as Consul's;
 * a JSON syntax error carries Go's text plus the line and column.
 */
export async function parseConfigText(name: string, text: string, format: ConfigFormat): Promise<FileConfig | undefined> {
  if (text === '') return undefined;
  if (format === 'hcl') {
    // The HCL parser is loaded only when an HCL source is read.
    const { parseConsulHcl } = await import('./hcl.js');
    let hclData: Record<string, unknown>;
    try {
      hclData = parseConsulHcl(text);
    } catch (err) {
      throw new ConfigError(`failed to parse ${name}: ${(err as Error).message}`);
    }
    return validateSource(name, hclData);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const syntax = goJsonSyntaxError(text);
    if (!syntax) throw new ConfigError(`failed to parse ${name}: ${(err as Error).message}`);
    throw new ConfigError(`failed to parse ${name}: ${syntax.message} (line ${syntax.line}, column ${syntax.column})`);
  }
  // json.Unmarshal into map[string]interface{}: null leaves it empty, other kinds do not fit.
  if (data === null) return {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`failed to parse ${name}: json: cannot unmarshal ${goJsonKind(data)} into Go value of type map[string]interface {}`);
  }
  return validateSource(name, data);
}

export async function readConfigFile(file: string, format?: ConfigFormat): Promise<FileConfig | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`config: failed to read ${file}: ${goPathError('read', file, err)}`);
  }
  return parseConfigText(file, text, format ?? formatFromExtension(file) ?? 'json');
}

/**
 * The files a -config-dir contributes: *.json and *.hcl (every file with -config-format), sorted
 * by name, not recursing; others are skipped with Consul's warning.
 */
export async function configDirFiles(dir: string, opts: ReadOptions = {}): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw new ConfigError(`config: Readdir failed on ${dir}. ${goPathError('readdirent', dir, err)}`);
  }
  const files: string[] = [];
  for (const n of names.sort()) {
    const full = path.join(dir, n);
    let st;
    try {
      st = await fs.stat(full);
    } catch (err) {
      throw new ConfigError(goPathError('stat', full, err));
    }
    if (st.isDirectory()) continue;
    if (!opts.format && !formatFromExtension(n)) {
      opts.warn?.(`skipping file ${full}, extension must be .hcl or .json, or config format must be set`);
      continue;
    }
    files.push(full);
  }
  return files;
}

/** A source named on the command line: a file, or a directory of files (Consul: sourcesFromPath). */
export async function readConfigPath(p: string, opts: ReadOptions = {}): Promise<FileConfig[]> {
  let st;
  try {
    st = await fs.stat(p);
  } catch (err) {
    throw new ConfigError(`config: Open failed on ${p}. ${goPathError('open', p, err)}`);
  }
  const out: FileConfig[] = [];
  if (!st.isDirectory()) {
    if (!opts.format && !formatFromExtension(p)) {
      throw new ConfigError(`file ${p} has unknown extension; must be .hcl or .json, or config format must be set`);
    }
    const one = await readConfigFile(p, opts.format);
    if (one) out.push(one);
    return out;
  }
  for (const f of await configDirFiles(p, opts)) {
    const one = await readConfigFile(f, opts.format);
    if (one) out.push(one);
  }
  return out;
}

export function mergeConfigs(sources: readonly FileConfig[]): FileConfig {
  const out: Record<string, unknown> = {};
  const append = (k: string, items: unknown[]): void => {
    out[k] = [...((out[k] as unknown[] | undefined) ?? []), ...items];
  };
  for (const src of sources) {
    for (const [k, v] of Object.entries(src)) {
      if (v === undefined) continue;
      const key = k as keyof FileConfig;
      // Every file's single `service`/`check` counts, as in Consul (one file per service is the
      // common layout): they join the `services`/`checks` lists instead of replacing each other.
      if (key === 'service' || key === 'check') append(key === 'service' ? 'services' : 'checks', [v]);
      else if (APPEND_KEYS.has(key) && Array.isArray(v)) append(k, v);
      else if (key === 'tls' && typeof v === 'object' && v !== null) out[k] = mergeTlsBlocks(out[k] as FileConfig['tls'], v as NonNullable<FileConfig['tls']>);
      else if (MERGE_KEYS.has(key) && typeof v === 'object' && v !== null) out[k] = { ...((out[k] as object | undefined) ?? {}), ...v };
      else out[k] = v;
    }
  }
  return out as FileConfig;
}
