// A small history router: the URL is the state, with Consul UI's scheme under the content path
// (/ui/dc1/services, /ui/dc1/kv/app/), so bookmarks carry over.
import { useEffect, useState } from 'preact/hooks';
import { settings } from './settings';

type Listener = () => void;
const listeners = new Set<Listener>();
let inAppNavigation = false;

/** True once after navigate(): the page that renders next should take the focus. */
export function consumeInAppNavigation(): boolean {
  const was = inAppNavigation;
  inAppNavigation = false;
  return was;
}

export function currentPath(): string {
  const p = location.pathname;
  const base = settings.contentPath;
  return p.startsWith(base) ? p.slice(base.length) : p.replace(/^\//, '');
}

/** Go to a path relative to the content path (e.g. "dc1/services"). */
export function navigate(rel: string, replace = false): void {
  const url = settings.contentPath + rel.replace(/^\//, '');
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  inAppNavigation = true;
  for (const l of listeners) l();
  window.scrollTo(0, 0);
}

export function href(rel: string): string {
  return settings.contentPath + rel.replace(/^\//, '');
}

window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

/** The path segments after the content path, re-rendered on navigation. */
export function useRoute(): { path: string; segments: string[]; search: URLSearchParams } {
  const [, setTick] = useState(0);
  const path = currentPath();
  const rendered = path + location.search;
  useEffect(() => {
    const l = (): void => setTick((t) => t + 1);
    listeners.add(l);
    // Children's effects run first: one of them may have navigated before we listened.
    if (currentPath() + location.search !== rendered) l();
    return () => void listeners.delete(l);
  }, []);
  return { path, segments: path.split('/').map(decodeURIComponent), search: new URLSearchParams(location.search) };
}

/** In-app navigation for plain <a href> clicks (keeps the browser's own behaviour for modified clicks). */
export function interceptLinks(root: HTMLElement): void {
  root.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element).closest('a');
    if (!a || a.target || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(settings.contentPath)) return;
    e.preventDefault();
    navigate(url.pathname.slice(settings.contentPath.length) + url.search);
  });
}
