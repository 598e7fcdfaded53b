/**
 * The virtual logical content database (S1.1): which server holds which file,
 * assembled from every server's content list (its logical content database).
 */

export interface FileInfo {
  readonly size: number;
  /** Bits per second. */
  readonly rate: number;
}

export class Catalog {
  private readonly byFile = new Map<string, Map<string, FileInfo>>();
  private readonly byServer = new Map<string, Set<string>>();

  /** Record that `server` holds `file`. */
  add(server: string, file: string, info: FileInfo): void {
    let holders = this.byFile.get(file);
    if (!holders) {
      holders = new Map();
      this.byFile.set(file, holders);
    }
    holders.set(server, info);
    let files = this.byServer.get(server);
    if (!files) {
      files = new Set();
      this.byServer.set(server, files);
    }
    files.add(file);
  }

  /** Forget everything `server` holds. */
  removeServer(server: string): void {
    const files = this.byServer.get(server);
    if (!files) return;
    for (const file of files) {
      const holders = this.byFile.get(file);
      holders?.delete(server);
      if (holders && holders.size === 0) this.byFile.delete(file);
    }
    this.byServer.delete(server);
  }

  /** The servers holding `file`, with what each says of it. */
  holders(file: string): ReadonlyMap<string, FileInfo> | undefined {
    return this.byFile.get(file);
  }

  filesOf(server: string): number {
    return this.byServer.get(server)?.size ?? 0;
  }

  get fileCount(): number {
    return this.byFile.size;
  }

  /** Every file, in name order, with its holders. */
  entries(): [string, ReadonlyMap<string, FileInfo>][] {
    return [...this.byFile.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}
