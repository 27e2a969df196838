// Go's text/tabwriter (AlignLeft, no flags), as Consul's commands use it.
//
// Text is split into lines and each line into cells; a cell is terminated by '\t'. The text after
// the last tab of a line is not part of any column. Adjacent lines that have a cell in column k form
// a "column block", and every cell of the block is padded to the block's widest cell + padding
// (at least minWidth). Widths count Unicode code points, like utf8.RuneCountInString.

export interface TabwriterOptions {
  minWidth: number;
  padding: number;
  padChar?: string;
}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Format `text` exactly as a Go tabwriter.Writer with these options would after Flush(). */
export function tabwrite(text: string, opts: TabwriterOptions): string {
  const lines = text.split('\n').map((line) => line.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];
  const pad = opts.padChar ?? ' ';

  const writeLines = (from: number, to: number): void => {
    for (let l = from; l < to; l++) {
      const cells = lines[l]!;
      let s = '';
      for (let j = 0; j < cells.length; j++) {
        const cell = cells[j]!;
        if (j < cells.length - 1 && j < widths.length) {
          s += cell + pad.repeat(Math.max(0, widths[j]! - runeCount(cell)));
        } else {
          s += cell;
        }
      }
      out.push(s);
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    let start = line0;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= lines[cur]!.length - 1) continue;
      // This line has a cell in `column`: it opens a column block.
      writeLines(start, cur);
      start = cur;
      let width = opts.minWidth;
      for (; cur < line1; cur++) {
        const cells = lines[cur]!;
        if (column >= cells.length - 1) break;
        const w = runeCount(cells[column]!) + opts.padding;
        if (w > width) width = w;
      }
      widths.push(width);
      format(start, cur);
      widths.pop();
      start = cur;
      cur--; // the for-loop increment revisits `cur`, which ended the block
    }
    writeLines(start, line1);
  };

  format(0, lines.length);
  return out.join('\n');
}
