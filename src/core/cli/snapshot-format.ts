// `consul snapshot inspect` output (command/snapshot/inspect/formatter.go): a tabwriter table with a
// leading space on each line (minwidth 8, padding 6), and the JSON form indented with 3 spaces.
import { goMarshalIndent } from './go-json.js';
import { tabwrite } from './tabwriter.js';

export interface TypeStats {
  Name: string;
  Sum: number;
  Count: number;
}

export interface InspectInfo {
  Meta: { ID: string; Size: number; Index: number; Term: number; Version: number };
  Stats: TypeStats[];
  TotalSize: number;
}

const UNITS: Array<[number, string]> = [
  [2 ** 40, 'TB'],
  [2 ** 30, 'GB'],
  [2 ** 20, 'MB'],
  [2 ** 10, 'KB'],
  [1, 'B'],
];

/** formatter.go ByteSize: one decimal, ".0" trimmed, "0" for zero. */
export function byteSize(bytes: number): string {
  if (bytes === 0) return '0';
  for (const [size, unit] of UNITS) {
    if (bytes >= size) return `${(bytes / size).toFixed(1).replace(/\.0$/, '')}${unit}`;
  }
  return '0';
}

/** Largest first, then by name (Consul's sortTypeStats). */
export function sortStats(stats: readonly TypeStats[]): TypeStats[] {
  return [...stats].sort((a, b) => b.Sum - a.Sum || (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

export function formatInspectPretty(info: InspectInfo): string {
  const m = info.Meta;
  let s = ` ID\t${m.ID}\n Size\t${m.Size}\n Index\t${m.Index}\n Term\t${m.Term}\n Version\t${m.Version}\n`;
  s += '\n Type\tCount\tSize\t\n';
  s += ' ----\t----\t----\t';
  for (const st of sortStats(info.Stats)) s += `\n ${st.Name}\t${st.Count}\t${byteSize(st.Sum)}\t`;
  s += '\n ----\t----\t----\t';
  s += `\n Total\t\t${byteSize(info.TotalSize)}\t`;
  return tabwrite(s, { minWidth: 8, padding: 6 });
}

export function formatInspectJson(info: InspectInfo): string {
  return goMarshalIndent({ Meta: info.Meta, Stats: sortStats(info.Stats), TotalSize: info.TotalSize }, '   ');
}
