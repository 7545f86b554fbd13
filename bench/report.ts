/** One line of the results table. */
export interface Figure {
  key: string;
  label: string;
  value: number;
  unit: string;
  /** To the reference, where the figure has one. */
  ratio?: number;
  /** The same measurement under the reference conditions (scale.ts: on empty tables), in `unit`. */
  counterpart?: number;
  /** What the value stands on, when not obvious from the label (shown after the value). */
  note?: string;
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

/** Column headings: the figure's, and the reference's (a counterpart column appears when one is named). */
export interface TableHeadings {
  figure: string;
  ratio: string;
  counterpart?: string;
}

/** A Markdown table, as pasted into the README. */
export function formatTable(
  figures: readonly Figure[],
  conditions: Record<string, unknown>,
  headings: TableHeadings = { figure: 'figure (median of runs)', ratio: 'vs reference' },
): string {
  const number = (value: number) => (value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(value >= 10 ? 1 : 2));
  const counterpart = headings.counterpart !== undefined;
  const rows = figures.map((figure) => {
    const value = `${number(figure.value)} ${figure.unit}${figure.note ? ` (${figure.note})` : ''}`;
    const reference = counterpart ? [figure.counterpart === undefined ? '' : `${number(figure.counterpart)} ${figure.unit}`] : [];
    const ratio = figure.ratio === undefined ? '' : `${figure.ratio.toFixed(2)}×`;
    const target = figure.target ? `${figure.target} ${figure.met ? '✓' : '✗'}` : '';
    return `| ${[figure.label, value, ...reference, ratio, target].join(' | ')} |`;
  });
  const heading = [headings.figure, 'value', ...(counterpart ? [headings.counterpart] : []), headings.ratio, 'target'];
  const rule = heading.map((_, i) => (i === 0 || i === heading.length - 1 ? '---' : '---:'));
  const notes = Object.entries(conditions).map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(' ') : typeof value === 'object' && value ? JSON.stringify(value) : String(value)}`);
  return [`| ${heading.join(' | ')} |`, `| ${rule.join(' | ')} |`, ...rows, '', notes.join('; ')].join('\n');
}
