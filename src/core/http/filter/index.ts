// `?filter=` for every list endpoint: compile once per request, apply to the JSON-shaped items.
// Errors answer 400 with Consul's "Failed to create boolean expression evaluator: ..." text.
import { HttpError } from '../../errors.js';
import type { RequestContext } from '../context.js';
import { evaluate } from './evaluate.js';
import { FilterError, parseFilter } from './parse.js';

export { FilterError } from './parse.js';

export type Filter = (value: unknown) => boolean;

export function compileFilter(expr: string): Filter {
  let ast;
  try {
    ast = parseFilter(expr);
  } catch (err) {
    if (err instanceof FilterError) throw new FilterError(`Failed to create boolean expression evaluator: ${err.message}`);
    throw err;
  }
  return (value) => evaluate(ast, value);
}

/** The request's filter, or undefined when there is none (400 on a bad expression). */
export function requestFilter(ctx: RequestContext): Filter | undefined {
  const expr = ctx.get('filter');
  if (expr === null || expr.trim() === '') return undefined;
  try {
    const f = compileFilter(expr);
    return (v) => {
      try {
        return f(v);
      } catch (err) {
        if (err instanceof FilterError) throw new HttpError(400, `Failed to create boolean expression evaluator: ${err.message}`);
        throw err;
      }
    };
  } catch (err) {
    if (err instanceof FilterError) throw new HttpError(400, err.message);
    throw err;
  }
}

/** Filter a list by the request's ?filter. */
export function filterList<T>(ctx: RequestContext, items: T[]): T[] {
  const f = requestFilter(ctx);
  return f ? items.filter((i) => f(i)) : items;
}

/** Filter a map's values by the request's ?filter, keeping keys. */
export function filterMap<T>(ctx: RequestContext, map: Record<string, T>): Record<string, T> {
  const f = requestFilter(ctx);
  if (!f) return map;
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(map)) if (f(v)) out[k] = v;
  return out;
}
