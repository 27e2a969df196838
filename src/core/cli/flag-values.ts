// Go's flags.FlagMapValue (`-meta key=value`, repeatable): every value must be `key=value`;
// later keys win. A value without `=` is reported back for Go's usage error.
export function parseKeyValues(values: readonly string[] | undefined): { map: Record<string, string> } | { bad: string } {
  const map: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.indexOf('=');
    if (i < 0) return { bad: v };
    map[v.slice(0, i)] = v.slice(i + 1);
  }
  return { map };
}
