/** The terminal's size: given explicitly (tests), else the output stream's, else 24x80; follows resizes. */
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export const DEFAULT_ROWS = 24;
export const DEFAULT_COLUMNS = 80;

export interface TerminalSize {
  readonly rows: number;
  readonly columns: number;
}

export function useTerminalSize(rows?: number, columns?: number): TerminalSize {
  const { stdout } = useStdout();
  const [, setResizes] = useState(0);
  useEffect(() => {
    const resized = () => setResizes((n) => n + 1);
    stdout.on('resize', resized);
    return () => {
      stdout.off('resize', resized);
    };
  }, [stdout]);
  return {
    rows: rows ?? (stdout.rows > 0 ? stdout.rows : DEFAULT_ROWS),
    columns: columns ?? (stdout.columns > 0 ? stdout.columns : DEFAULT_COLUMNS),
  };
}
