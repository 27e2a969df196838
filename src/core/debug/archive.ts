// The debug archive: the capture directory as a gzip'd tar, written beside it as <output>.tar.gz
// through a temporary file and a rename (Consul: command/debug/debug.go createArchive). Entries are
// the directory itself, then each file under `<base name>/`, in filepath.Walk's lexical order.
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [dir];
  const names = (await fs.readdir(dir)).sort();
  for (const name of names) {
    const full = path.join(dir, name);
    const st = await fs.stat(full);
    if (st.isDirectory()) out.push(...(await walk(full)));
    else out.push(full);
  }
  return out;
}

export async function createArchive(outputDir: string): Promise<string> {
  const target = `${outputDir}.tar.gz`;
  const temp = `${target}.tmp${process.pid}`;
  const base = path.basename(outputDir);
  const pack = tar.pack();
  const written = pipeline(pack, createGzip(), createWriteStream(temp, { mode: 0o600 }));
  try {
    for (const file of await walk(outputDir)) {
      const st = await fs.stat(file);
      const name = path.join(base, path.relative(outputDir, file));
      if (st.isDirectory()) {
        pack.entry({ name, type: 'directory', mode: st.mode & 0o7777, mtime: st.mtime });
        continue;
      }
      const entry = pack.entry({ name, size: st.size, mode: st.mode & 0o7777, mtime: st.mtime });
      await pipeline(createReadStream(file), entry);
    }
    pack.finalize();
    await written;
    const fh = await fs.open(temp, 'r+');
    await fh.sync();
    await fh.close();
    await fs.rename(temp, target);
  } catch (err) {
    pack.destroy();
    await written.catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw err;
  }
  await fs.rm(outputDir, { recursive: true, force: true });
  return target;
}
