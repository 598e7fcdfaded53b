/**
 * How a client's copy of a synthetic file differs from the original: bytes of
 * the original missing from the copy (lost), bytes that appear in it more
 * than once (written twice) and bytes that come from nowhere in the original
 * (foreign). A copy is read as a sequence of runs of the original: a run goes
 * on while the copy's next byte is the original's next one; where it breaks,
 * the next run starts at the next 8-byte word of the copy that is a word of
 * the original (synthetic words name their own offset: src/media/synthetic.ts).
 * Counts are exact when runs break on 8-byte boundaries, and otherwise within
 * a few bytes per break (bytes equal in both runs may be given to either).
 */

export interface CopyComparison {
  /** Byte for byte the original. */
  readonly identical: boolean;
  readonly size: number;
  readonly expected: number;
  /** Bytes of the original found nowhere in the copy. */
  readonly lost: number;
  /** Bytes of the copy that repeat bytes of the original already in it. */
  readonly twice: number;
  /** Bytes of the copy that belong to no run of the original. */
  readonly foreign: number;
  /** Where the copy first differs from the original (undefined when identical). */
  readonly firstDifference?: number;
}

const WORD = 8;

/** The offset the word at `at` of `copy` names, when it is a whole word of `original` there. */
function wordOrigin(copy: Uint8Array, at: number, original: Uint8Array): number | undefined {
  if (at + WORD > copy.length) return undefined;
  let claimed = 0;
  for (let j = 0; j < 6; j++) claimed = claimed * 256 + copy[at + j]!;
  if (claimed % WORD !== 0 || claimed + WORD > original.length) return undefined;
  for (let j = 0; j < WORD; j++) if (copy[at + j] !== original[claimed + j]) return undefined;
  return claimed;
}

/** Total length of the union of half-open intervals. */
function unionLength(intervals: [number, number][]): number {
  intervals.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [s, e] of intervals) {
    if (e <= end) continue;
    total += e - Math.max(s, end);
    end = e;
  }
  return total;
}

export function compareCopy(copy: Uint8Array, original: Uint8Array): CopyComparison {
  const base = { size: copy.length, expected: original.length };
  const n = Math.min(copy.length, original.length);
  let first = 0;
  while (first < n && copy[first] === original[first]) first++;
  if (first === n && copy.length === original.length) return { ...base, identical: true, lost: 0, twice: 0, foreign: 0 };

  // Runs of the original, as [origin start, origin end).
  const runs: [number, number][] = [];
  let matched = 0;
  let runStart = 0; // where the current run starts in the copy …
  let runOrigin = 0; // … and in the original
  const close = (end: number) => {
    if (end <= runStart) return;
    runs.push([runOrigin, runOrigin + (end - runStart)]);
    matched += end - runStart;
  };
  let p = 0;
  while (p < copy.length) {
    const origin = runOrigin + (p - runStart);
    if (origin < original.length && copy[p] === original[origin]) {
      p++;
      continue;
    }
    // The run breaks at p, or up to a word earlier where equal bytes let it run on: find the next word of the original.
    let q = Math.max(runStart, p - (WORD - 1));
    let next: number | undefined;
    for (; q + WORD <= copy.length; q++) {
      const o = wordOrigin(copy, q, original);
      // A word where the current run has it is the run itself, not a new one.
      if (o !== undefined && o !== runOrigin + (q - runStart)) {
        next = o;
        break;
      }
    }
    if (next === undefined) {
      close(p);
      runStart = p = copy.length;
      break;
    }
    const end = Math.min(p, q);
    close(end);
    // The new run may begin a few bytes before its first whole word.
    let start = q;
    while (start > end && next - (q - start) > 0 && copy[start - 1] === original[next - (q - start) - 1]) start--;
    runStart = p = start;
    runOrigin = next - (q - start);
  }
  close(p);
  const covered = unionLength(runs);
  return {
    ...base,
    identical: false,
    lost: original.length - covered,
    twice: matched - covered,
    foreign: copy.length - matched,
    firstDifference: first,
  };
}
