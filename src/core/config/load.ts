// Config sources -> one validated FileConfig -> RuntimeConfig.
// Order (later wins, lists append): defaults, dev defaults (-dev), -config-file / -config-dir
// sources in the order given (a directory's *.json files sorted by name), then command-line flags.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { APPEND_KEYS, FileConfigSchema, MERGE_KEYS, type FileConfig } from './schema.js';

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
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => describeIssue(i, data));
  const n = issues.length;
  throw new ConfigError(`failed to parse ${name}: ${n} error${n === 1 ? '' : 's'} occurred:\n\t* ${issues.join('\n\t* ')}\n`);
}

export async function readConfigFile(file: string): Promise<FileConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Error reading ${file}: ${(err as Error).message}`);
  }
  if (file.endsWith('.hcl')) {
    // The HCL parser is loaded only when an HCL file is read.
    const { parseConsulHcl } = await import('./hcl.js');
    let hclData: Record<string, unknown>;
    try {
      hclData = parseConsulHcl(text);
    } catch (err) {
      throw new ConfigError(`failed to parse ${file}: ${(err as Error).message}`);
    }
    return validateSource(file, hclData);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`failed to parse ${file}: ${(err as Error).message}`);
  }
  return validateSource(file, data);
}

/** The files a -config-dir contributes: *.json (and *.hcl), sorted lexically, as Consul. */
export async function configDirFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw new ConfigError(`Error reading ${dir}: ${(err as Error).message}`);
  }
  const files: string[] = [];
  for (const n of names.sort()) {
    if (!n.endsWith('.json') && !n.endsWith('.hcl')) continue;
    const full = path.join(dir, n);
    const st = await fs.stat(full);
    if (st.isFile()) files.push(full);
  }
  return files;
}

/** A source named on the command line: a file, or a directory of files. */
export async function readConfigPath(p: string): Promise<FileConfig[]> {
  let st;
  try {
    st = await fs.stat(p);
  } catch (err) {
    throw new ConfigError(`Error reading ${p}: ${(err as Error).message}`);
  }
  if (!st.isDirectory()) return [await readConfigFile(p)];
  const out: FileConfig[] = [];
  for (const f of await configDirFiles(p)) out.push(await readConfigFile(f));
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
      else if (MERGE_KEYS.has(key) && typeof v === 'object' && v !== null) out[k] = { ...((out[k] as object | undefined) ?? {}), ...v };
      else out[k] = v;
    }
  }
  return out as FileConfig;
}
