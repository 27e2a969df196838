// The node/service/tag regexp filters of `consul event` and `consul exec`, checked before anything
// is sent, with Consul's messages. Undefined when they are valid.
export function eventFilterError(f: { node?: string; service?: string; tag?: string }): string | undefined {
  for (const [what, re] of [['node', f.node], ['service', f.service], ['tag', f.tag]] as const) {
    if (!re) continue;
    try {
      new RegExp(re);
    } catch (e) {
      return `Failed to compile ${what} filter regexp: ${(e as Error).message}`;
    }
  }
  if (f.tag && !f.service) return 'Cannot provide tag filter without service filter.';
  return undefined;
}
