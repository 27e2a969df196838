// The typed readers of watch parameters, with Consul's messages (api/watch/watch.go assignValue,
// assignValueBool, assignValueStringSlice). Each removes what it read, so the parser can report
// leftovers.

export type WatchParams = Record<string, unknown>;

export class WatchParamError extends Error {
  override name = 'WatchParamError';
}

/** A string parameter, removed from `params`; absent gives ''. */
export function takeString(params: WatchParams, name: string): string {
  if (!(name in params)) return '';
  const v = params[name];
  if (typeof v !== 'string') throw new WatchParamError(`Expecting ${name} to be a string`);
  delete params[name];
  return v;
}

export function takeBool(params: WatchParams, name: string): boolean {
  if (!(name in params)) return false;
  const v = params[name];
  if (typeof v !== 'boolean') throw new WatchParamError(`Expecting ${name} to be a boolean`);
  delete params[name];
  return v;
}

/** A string or a list of strings (`tag`), removed from `params`. */
export function takeStringList(params: WatchParams, name: string): string[] {
  if (!(name in params)) return [];
  const v = params[name];
  let out: string[];
  if (typeof v === 'string') out = [v];
  else if (Array.isArray(v)) {
    out = v.map((item, i) => {
      if (typeof item !== 'string') throw new WatchParamError(`Index ${i} of ${name} expected to be string`);
      return item;
    });
  } else throw new WatchParamError(`Expecting ${name} to be a string or []string`);
  delete params[name];
  return out;
}
