// A windowed list with fixed-height rows: only the rows in view (plus a margin) are in the DOM,
// so 10,000 services scroll as smoothly as 10. Rows keep their list semantics for screen readers
// (aria-setsize / aria-posinset), and the list itself scrolls with the page.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

const OVERSCAN_ROWS = 10;

export function VirtualList<T>({
  items,
  rowHeight,
  label,
  render,
}: {
  items: readonly T[];
  rowHeight: number;
  label: string;
  render: (item: T, index: number) => ComponentChildren;
}) {
  const ref = useRef<HTMLUListElement>(null);
  const [range, setRange] = useState<[number, number]>([0, 60]);
  useEffect(() => {
    const update = (): void => {
      const el = ref.current;
      if (!el) return;
      const top = el.getBoundingClientRect().top;
      const first = Math.max(0, Math.floor(-top / rowHeight) - OVERSCAN_ROWS);
      const last = Math.min(items.length, Math.ceil((window.innerHeight - top) / rowHeight) + OVERSCAN_ROWS);
      setRange((r) => (r[0] === first && r[1] === last ? r : [first, Math.max(first, last)]));
    };
    update();
    window.addEventListener('scroll', update, { passive: true });
    window.addEventListener('resize', update);
    return () => {
      window.removeEventListener('scroll', update);
      window.removeEventListener('resize', update);
    };
  }, [items.length, rowHeight]);
  const [first, last] = range;
  const shown = items.slice(first, last);
  return (
    <ul ref={ref} class="vlist" aria-label={label} style={{ height: `${items.length * rowHeight}px` }}>
      {shown.map((item, i) => (
        <li
          key={first + i}
          class="vrow"
          aria-setsize={items.length}
          aria-posinset={first + i + 1}
          style={{ transform: `translateY(${(first + i) * rowHeight}px)`, height: `${rowHeight}px` }}
        >
          {render(item, first + i)}
        </li>
      ))}
    </ul>
  );
}
