// ryanuber/columnize as Consul uses it: fields split on a delimiter, trimmed, every column but the
// last padded to the widest entry, columns joined by two spaces, no trailing newline.

export const COLUMN_DELIM = '\x1f';

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function columnize(rows: readonly string[], delim: string = COLUMN_DELIM, glue = '  '): string {
  const table = rows.map((row) => row.split(delim).map((f) => f.trim()));
  const widths: number[] = [];
  for (const cells of table) {
    cells.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, runeCount(cell));
    });
  }
  return table
    .map((cells) =>
      cells
        .map((cell, i) => (i === cells.length - 1 ? cell : cell + ' '.repeat(widths[i]! - runeCount(cell)) + glue))
        .join(''),
    )
    .join('\n');
}
