// Go's time.Format layouts (reference time Mon Jan 2 15:04:05 MST 2006) for `timestamp`.
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const p2 = (n: number) => String(n).padStart(2, '0');

export function formatGoTime(d: Date, layout: string): string {
  const offMin = -d.getTimezoneOffset();
  const sign = offMin >= 0 ? '+' : '-';
  const oh = p2(Math.floor(Math.abs(offMin) / 60));
  const om = p2(Math.abs(offMin) % 60);
  const tokens: Array<[string, () => string]> = [
    ['January', () => MONTHS[d.getMonth()]!],
    ['Monday', () => DAYS[d.getDay()]!],
    ['Z07:00', () => (offMin === 0 ? 'Z' : `${sign}${oh}:${om}`)],
    ['-07:00', () => `${sign}${oh}:${om}`],
    ['Z0700', () => (offMin === 0 ? 'Z' : `${sign}${oh}${om}`)],
    ['-0700', () => `${sign}${oh}${om}`],
    ['2006', () => String(d.getFullYear())],
    ['.000000000', () => `.${String(d.getMilliseconds()).padStart(3, '0')}000000`],
    ['.000000', () => `.${String(d.getMilliseconds()).padStart(3, '0')}000`],
    ['.000', () => `.${String(d.getMilliseconds()).padStart(3, '0')}`],
    ['Jan', () => MONTHS[d.getMonth()]!.slice(0, 3)],
    ['Mon', () => DAYS[d.getDay()]!.slice(0, 3)],
    ['MST', () => (offMin === 0 ? 'UTC' : `${sign}${oh}${om}`)],
    ['01', () => p2(d.getMonth() + 1)],
    ['02', () => p2(d.getDate())],
    ['_2', () => String(d.getDate()).padStart(2, ' ')],
    ['15', () => p2(d.getHours())],
    ['03', () => p2(d.getHours() % 12 || 12)],
    ['04', () => p2(d.getMinutes())],
    ['05', () => p2(d.getSeconds())],
    ['06', () => p2(d.getFullYear() % 100)],
    ['PM', () => (d.getHours() >= 12 ? 'PM' : 'AM')],
    ['pm', () => (d.getHours() >= 12 ? 'pm' : 'am')],
    ['1', () => String(d.getMonth() + 1)],
    ['2', () => String(d.getDate())],
    ['3', () => String(d.getHours() % 12 || 12)],
    ['4', () => String(d.getMinutes())],
    ['5', () => String(d.getSeconds())],
  ];
  let out = '';
  let i = 0;
  outer: while (i < layout.length) {
    for (const [tok, fn] of tokens) {
      if (layout.startsWith(tok, i)) {
        out += fn();
        i += tok.length;
        continue outer;
      }
    }
    out += layout[i];
    i++;
  }
  return out;
}
