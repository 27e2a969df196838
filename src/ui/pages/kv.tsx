// /ui/:dc/kv/<folder>/ lists a folder (live); /ui/:dc/kv/<key>/edit edits a key and
// /ui/:dc/kv/<folder>/create creates one. Writes use ?cas so two editors never overwrite each
// other silently: a lost race is shown with the choice to load the latest value or overwrite.
import { useEffect, useState } from 'preact/hooks';
import { apiUrl, call, request } from '../api';
import { useBlocking } from '../blocking';
import { ErrorNote, Layout, Loading } from '../components/layout';
import { fromBytes, toBytes, base64ToBytes, type ValueView } from '../kv-codec';
import { href, navigate } from '../router';
import type { KvEntry } from '../types';

const kvPath = (key: string): string => `kv/${key.split('/').map(encodeURIComponent).join('/')}`;

function Breadcrumbs({ dc, folder }: { dc: string; folder: string }) {
  const parts = folder.split('/').filter((p) => p !== '');
  return (
    <nav aria-label="Breadcrumb" class="crumbs">
      <a href={href(`${encodeURIComponent(dc)}/kv/`)}>Key/Value</a>
      {parts.map((p, i) => (
        <span key={i}>
          {' / '}
          <a href={href(`${encodeURIComponent(dc)}/${kvPath(parts.slice(0, i + 1).join('/') + '/')}`)}>{p}</a>
        </span>
      ))}
    </nav>
  );
}

export function KvFolderPage({ dc, folder }: { dc: string; folder: string }) {
  const q = useBlocking<string[]>(apiUrl(kvPath(folder), dc, { keys: '', separator: '/' }));
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [error, setError] = useState('');
  const items = (q.data ?? []).filter((k) => k !== folder);
  const remove = async (key: string): Promise<void> => {
    setError('');
    try {
      await call('DELETE', apiUrl(kvPath(key), dc, key.endsWith('/') ? { recurse: '' } : {}));
      setConfirming(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Layout dc={dc} section="kv" title="Key/Value">
      <Breadcrumbs dc={dc} folder={folder} />
      <h1>{folder === '' ? 'Key/Value' : folder}</h1>
      <p>
        <a class="button" href={href(`${encodeURIComponent(dc)}/${kvPath(folder)}create`)}>
          Create
        </a>
      </p>
      {error && <ErrorNote text={error} />}
      {q.error && <ErrorNote text={q.error} />}
      {q.loading && !q.data && !q.notFound ? (
        <Loading what="keys" />
      ) : items.length === 0 ? (
        <p>There are no keys here yet.</p>
      ) : (
        <ul class="kv-list" aria-label="Keys">
          {items.map((k) => {
            const name = k.slice(folder.length);
            const isFolder = k.endsWith('/');
            return (
              <li key={k}>
                <a href={href(`${encodeURIComponent(dc)}/${kvPath(k)}${isFolder ? '' : '/edit'}`)}>
                  {isFolder ? '📁 ' : ''}
                  {name}
                </a>
                {confirming === k ? (
                  <span class="confirm" role="group" aria-label={`Confirm deleting ${name}`}>
                    {isFolder ? `Delete folder ${name} and every key in it?` : `Delete ${name}?`}
                    <button type="button" class="danger" onClick={() => void remove(k)}>
                      Confirm delete
                    </button>
                    <button type="button" onClick={() => setConfirming(undefined)}>
                      Cancel
                    </button>
                  </span>
                ) : (
                  <button type="button" onClick={() => setConfirming(k)} aria-label={`Delete ${name}`}>
                    Delete
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </Layout>
  );
}

interface Loaded {
  entry: KvEntry | undefined;
  bytes: Uint8Array;
}

async function loadKey(dc: string, key: string): Promise<Loaded> {
  const res = await request('GET', apiUrl(kvPath(key), dc));
  if (res.status === 404) return { entry: undefined, bytes: new Uint8Array() };
  if (!res.ok) throw new Error(await res.text());
  const [entry] = (await res.json()) as KvEntry[];
  return { entry, bytes: entry?.Value ? base64ToBytes(entry.Value) : new Uint8Array() };
}

export function KvEditPage({ dc, folder, kvKey: editKey }: { dc: string; folder: string; kvKey: string | undefined }) {
  const isCreate = editKey === undefined;
  const [name, setName] = useState('');
  const [view, setView] = useState<ValueView>('text');
  const [text, setText] = useState('');
  const [entry, setEntry] = useState<KvEntry | undefined>(undefined);
  const [loading, setLoading] = useState(!isCreate);
  const [error, setError] = useState('');
  const [conflict, setConflict] = useState<KvEntry | undefined | null>(null);
  const [saved, setSaved] = useState('');

  const load = async (): Promise<void> => {
    if (editKey === undefined) return;
    setLoading(true);
    try {
      const l = await loadKey(dc, editKey);
      setEntry(l.entry);
      setText(fromBytes(view, l.bytes));
      setConflict(null);
    } catch (e) {
      setError((e as Error).message);
    }
    setLoading(false);
  };
  useEffect(() => void load(), [dc, editKey]);

  const switchView = (next: ValueView): void => {
    try {
      setText(fromBytes(next, toBytes(view, text)));
      setView(next);
      setError('');
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const key = isCreate ? folder + name : (editKey ?? "");
  const save = async (force: boolean): Promise<void> => {
    setError('');
    setSaved('');
    if (key === '' || key.endsWith('/') && text !== '') return setError('A key name is required (a name ending in / creates a folder with no value).');
    let body: Uint8Array<ArrayBuffer>;
    try {
      body = toBytes(view, text);
    } catch (e) {
      return setError((e as Error).message);
    }
    // cas=0: create only if absent; cas=N: update only if nobody wrote since we read index N.
    // Overwrite after a conflict still uses cas, at the index of the value the user was shown
    // in the conflict notice, so a third writer is not overwritten silently either.
    const cas = force ? String(conflict?.ModifyIndex ?? 0) : String(isCreate ? 0 : (entry?.ModifyIndex ?? 0));
    try {
      const res = await request('PUT', apiUrl(kvPath(key), dc, { cas }), body);
      const answer = await res.text();
      if (!res.ok) return setError(answer);
      if (answer.trim() !== 'true') {
        const latest = await loadKey(dc, key);
        return setConflict(latest.entry);
      }
      setConflict(null);
      if (isCreate) return navigate(`${encodeURIComponent(dc)}/${kvPath(folder)}`);
      const l = await loadKey(dc, key);
      setEntry(l.entry);
      setSaved(`Saved at index ${l.entry?.ModifyIndex ?? '?'}.`);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const remove = async (): Promise<void> => {
    if (!entry) return;
    const res = await request('DELETE', apiUrl(kvPath(entry.Key), dc, { cas: String(entry.ModifyIndex) }));
    if ((await res.text()).trim() !== 'true') return setConflict((await loadKey(dc, entry.Key)).entry);
    navigate(`${encodeURIComponent(dc)}/${kvPath(folder)}`);
  };

  return (
    <Layout dc={dc} section="kv" title={isCreate ? 'New key' : (editKey ?? '')}>
      <Breadcrumbs dc={dc} folder={folder} />
      <h1>{isCreate ? `Create a key${folder ? ` in ${folder}` : ''}` : editKey}</h1>
      {loading ? (
        <Loading what="key" />
      ) : (
        <form
          class="editor"
          onSubmit={(e) => {
            e.preventDefault();
            void save(false);
          }}
        >
          {isCreate && (
            <label>
              <span>Key or folder name</span>
              <input value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} required />
            </label>
          )}
          {!isCreate && !entry && <p>This key does not exist (any more). Saving creates it.</p>}
          <fieldset class="views">
            <legend>Show the value as</legend>
            {(['text', 'json', 'base64'] as ValueView[]).map((v) => (
              <label key={v}>
                <input type="radio" name="view" checked={view === v} onChange={() => switchView(v)} /> {v === 'text' ? 'Text' : v === 'json' ? 'JSON' : 'Base64'}
              </label>
            ))}
          </fieldset>
          <label>
            <span>Value</span>
            <textarea rows={12} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
          </label>
          {entry && (
            <p class="muted">
              ModifyIndex {entry.ModifyIndex} · Flags {entry.Flags}
              {entry.Session ? ` · locked by session ${entry.Session}` : ''}
            </p>
          )}
          {error && <ErrorNote text={error} />}
          {saved && (
            <p class="ok" role="status">
              {saved}
            </p>
          )}
          {conflict !== null && (
            <div class="conflict" role="alert">
              <strong>Conflict:</strong>{' '}
              {conflict
                ? `someone else changed ${conflict.Key} since you opened it (now at ModifyIndex ${conflict.ModifyIndex}). Your change was not saved.`
                : `${key} was created or deleted by someone else meanwhile. Your change was not saved.`}{' '}
              <button type="button" onClick={() => void load()}>
                Load latest
              </button>
              <button type="button" class="danger" onClick={() => void save(true)}>
                Overwrite
              </button>
            </div>
          )}
          <div class="actions">
            <button type="submit" class="primary">
              Save
            </button>
            <a href={href(`${encodeURIComponent(dc)}/${kvPath(folder)}`)}>Cancel</a>
            {entry && (
              <button type="button" class="danger" onClick={() => void remove()}>
                Delete
              </button>
            )}
          </div>
        </form>
      )}
    </Layout>
  );
}
