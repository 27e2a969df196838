// What the agent tells the page (src/core/ui/serve.ts fills the meta tag of index.html).
export interface UiSettings {
  contentPath: string;
  datacenter: string;
  aclsEnabled: boolean;
}

function read(): UiSettings {
  const meta = document.querySelector('meta[name="consul-ui/settings"]');
  const raw = meta?.getAttribute('content');
  const fallback: UiSettings = { contentPath: '/ui/', datacenter: 'dc1', aclsEnabled: false };
  if (!raw || raw.startsWith('__')) return fallback;
  try {
    return { ...fallback, ...(JSON.parse(decodeURIComponent(raw)) as Partial<UiSettings>) };
  } catch {
    return fallback;
  }
}

export const settings: UiSettings = read();
