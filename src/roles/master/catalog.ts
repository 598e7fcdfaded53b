/**
 * The virtual logical content database (S1.1): which server holds which file,
 * assembled from every server's content list (its logical content database).
 *
 * It keeps its file names in name order for the status pages (§11.2), and
 * keeps that order up to date cheaply: names that come and go are noted, and
 * the order is rebuilt only when asked for after a change, by merging the new
 * names (sorted on their own) into the old order — O(files + new × log new),
 * not a sort of the whole catalog for every reader.
 */

export interface FileInfo {
  readonly size: number;
  /** Bits per second. */
  readonly rate: number;
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The holders of a file that one server holds, as most files are: a fifth of the memory of a Map
 * of one entry, which counts with tens of thousands of files per server.
 */
class OneHolder implements ReadonlyMap<string, FileInfo> {
  constructor(
    private readonly server: string,
    private readonly info: FileInfo,
  ) {}

  get size(): number {
    return 1;
  }

  get(server: string): FileInfo | undefined {
    return server === this.server ? this.info : undefined;
  }

  has(server: string): boolean {
    return server === this.server;
  }

  forEach(f: (info: FileInfo, server: string, map: ReadonlyMap<string, FileInfo>) => void, thisArg?: unknown): void {
    f.call(thisArg, this.info, this.server, this);
  }

  entries(): MapIterator<[string, FileInfo]> {
    return [[this.server, this.info] as [string, FileInfo]].values();
  }

  keys(): MapIterator<string> {
    return [this.server].values();
  }

  values(): MapIterator<FileInfo> {
    return [this.info].values();
  }

  [Symbol.iterator](): MapIterator<[string, FileInfo]> {
    return this.entries();
  }
}

export class Catalog {
  /** Per file, its holders: one (most files), or a Map of them. */
  private readonly byFile = new Map<string, OneHolder | Map<string, FileInfo>>();
  /** Per server, the files it holds (each once: a server's content list has each name once). */
  private readonly byServer = new Map<string, string[]>();
  /** Every file name in name order, as of the last `names()`; never changed once handed out. */
  private sorted: readonly string[] | undefined;
  /** Names that joined since `sorted` was built. */
  private readonly joined = new Set<string>();
  /** Some names of `sorted` may have left since it was built. */
  private left = false;

  /** Record that `server` holds `file`. */
  add(server: string, file: string, info: FileInfo): void {
    const holders = this.byFile.get(file);
    let added = true;
    if (!holders) {
      this.byFile.set(file, new OneHolder(server, info));
      if (this.sorted) this.joined.add(file);
    } else if (holders instanceof OneHolder) {
      added = !holders.has(server);
      this.byFile.set(file, added ? new Map([...holders, [server, info]]) : new OneHolder(server, info));
    } else {
      added = !holders.has(server);
      holders.set(server, info);
    }
    if (!added) return;
    let files = this.byServer.get(server);
    if (!files) {
      files = [];
      this.byServer.set(server, files);
    }
    files.push(file);
  }

  /** Record that `server` no longer holds `file` (a distribution job deleted it, §14.4). */
  removeFile(server: string, file: string): void {
    const holders = this.byFile.get(file);
    if (!holders || !holders.has(server)) return;
    if (holders instanceof OneHolder) this.forgetFile(file);
    else {
      holders.delete(server);
      if (holders.size === 1) {
        const [other, info] = holders.entries().next().value!;
        this.byFile.set(file, new OneHolder(other, info));
      }
    }
    const files = this.byServer.get(server);
    const i = files?.indexOf(file) ?? -1;
    if (i >= 0) files!.splice(i, 1);
  }

  /** Forget everything `server` holds. */
  removeServer(server: string): void {
    const files = this.byServer.get(server);
    if (!files) return;
    for (const file of files) {
      const holders = this.byFile.get(file);
      if (!holders) continue;
      if (holders instanceof OneHolder) {
        if (holders.has(server)) this.forgetFile(file);
        continue;
      }
      holders.delete(server);
      if (holders.size === 0) this.forgetFile(file);
      else if (holders.size === 1) {
        const [other, info] = holders.entries().next().value!;
        this.byFile.set(file, new OneHolder(other, info));
      }
    }
    this.byServer.delete(server);
  }

  private forgetFile(file: string): void {
    this.byFile.delete(file);
    if (this.sorted && !this.joined.delete(file)) this.left = true;
  }

  /** The servers holding `file`, with what each says of it (the map may be replaced as servers come and go: read it now). */
  holders(file: string): ReadonlyMap<string, FileInfo> | undefined {
    return this.byFile.get(file);
  }

  filesOf(server: string): number {
    return this.byServer.get(server)?.length ?? 0;
  }

  get fileCount(): number {
    return this.byFile.size;
  }

  /**
   * Every file name, in name order. The array is the catalog's own and is never changed: a reader
   * may keep it (a status snapshot, §11.2) while the catalog moves on; it costs nothing to ask again
   * while nothing changed.
   */
  names(): readonly string[] {
    if (!this.sorted) {
      this.sorted = [...this.byFile.keys()].sort(byName);
    } else if (this.joined.size > 0 || this.left) {
      const fresh = [...this.joined].sort(byName);
      const old = this.sorted;
      const out: string[] = [];
      let i = 0;
      let j = 0;
      const push = (name: string) => {
        // A name that left and came back is in both lists: once is enough.
        if (this.byFile.has(name) && out[out.length - 1] !== name) out.push(name);
      };
      while (i < old.length || j < fresh.length) {
        if (j >= fresh.length || (i < old.length && old[i]! <= fresh[j]!)) push(old[i++]!);
        else push(fresh[j++]!);
      }
      this.sorted = out;
    }
    this.joined.clear();
    this.left = false;
    return this.sorted;
  }

  /** Every file, in name order, with its holders. */
  entries(): [string, ReadonlyMap<string, FileInfo>][] {
    return this.names().map((name) => [name, this.byFile.get(name)!]);
  }
}
