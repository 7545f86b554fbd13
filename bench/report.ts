/** One line of the results table. */
export interface Figure {
  key: string;
  label: string;
  value: number;
  unit: string;
  /** To the reference, where the figure has one. */
  ratio?: number;
  target?: string;
  met?: boolean;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** A Markdown table, as pasted into the README. */
export function formatTable(figures: readonly Figure[], conditions: Record<string, unknown>): string {
  const number = (value: number) => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 2));
  const rows = figures.map((figure) => {
    const value = `${number(figure.value)} ${figure.unit}`;
    const ratio = figure.ratio === undefined ? '' : `${figure.ratio.toFixed(2)}×`;
    const target = figure.target ? `${figure.target} ${figure.met ? '✓' : '✗'}` : '';
    return `| ${figure.label} | ${value} | ${ratio} | ${target} |`;
  });
  const notes = Object.entries(conditions).map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(' ') : String(value)}`);
  return ['| figure (median of runs) | value | vs reference | target |', '| --- | ---: | ---: | --- |', ...rows, '', notes.join('; ')].join('\n');
}
