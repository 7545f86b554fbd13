// Plain SVG, no chart library: a few dozen lines, no dependency, and it works offline under the portal's CSP (no inline styles).
import { useId } from 'preact/hooks';
import { periodLabel, totalOf, type PeriodCounts } from './attempt-stats.js';

/** The chart's drawing units: each period a slot this wide, bars this tall at most. */
const SLOT = 10;
const BAR = 7;
const HEIGHT = 100;
/** A period with any attempt stays visible beside a busy one. */
const MIN_BAR = 2;

/** Succeeded (below) and failed (above) attempts per period, each period a bar scaled to the busiest one. */
function Bars({ periods, slotTitles }: { periods: PeriodCounts[]; slotTitles?: boolean }) {
  const most = Math.max(1, ...periods.map((period) => period.success + period.failure));
  const height = (count: number) => (count === 0 ? 0 : Math.max(MIN_BAR, (count / most) * HEIGHT));
  return (
    <>
      {periods.map((period, i) => {
        const success = height(period.success);
        const failure = height(period.failure);
        const x = i * SLOT + (SLOT - BAR) / 2;
        return (
          <g key={period.start.getTime()}>
            {slotTitles && (
              <>
                <title>{`${periodLabel(period.start)}: ${period.success} succeeded, ${period.failure} failed`}</title>
                <rect class="chart-slot" x={i * SLOT} y={0} width={SLOT} height={HEIGHT} />
              </>
            )}
            {success > 0 && <rect class="chart-success" x={x} y={HEIGHT - success} width={BAR} height={success} />}
            {failure > 0 && <rect class="chart-failure" x={x} y={HEIGHT - success - failure} width={BAR} height={failure} />}
          </g>
        );
      })}
    </>
  );
}

function summary(periods: PeriodCounts[]): string {
  const total = totalOf(periods);
  return `${total.success} attempts succeeded and ${total.failure} failed`;
}

/**
 * Attempts per period as stacked bars, with a title and a summary for screen readers, a tooltip per period,
 * and every number in a visually hidden table.
 */
export function AttemptChart({ periods, title }: { periods: PeriodCounts[]; title: string }) {
  const id = useId();
  const most = Math.max(0, ...periods.map((period) => period.success + period.failure));
  return (
    <div class="chart">
      <svg
        class="chart-bars"
        viewBox={`0 0 ${periods.length * SLOT} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        data-testid="attempt-chart"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{`${summary(periods)}; at most ${most} in one period.`}</desc>
        <Bars periods={periods} slotTitles />
      </svg>
      {periods.length > 0 && (
        <div class="chart-axis" aria-hidden="true">
          <span>{periodLabel(periods[0].start)}</span>
          <span>busiest: {most}</span>
          <span>now</span>
        </div>
      )}
      <p class="chart-legend" aria-hidden="true">
        <span class="chart-key chart-key-success">Succeeded</span>
        <span class="chart-key chart-key-failure">Failed</span>
      </p>
      <table class="visually-hidden" data-testid="attempt-chart-data">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Period from</th>
            <th scope="col">Succeeded</th>
            <th scope="col">Failed</th>
          </tr>
        </thead>
        <tbody>
          {periods.map((period) => (
            <tr key={period.start.getTime()}>
              <th scope="row">
                <time dateTime={period.start.toISOString()}>{periodLabel(period.start)}</time>
              </th>
              <td>{period.success}</td>
              <td>{period.failure}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A small chart of the same bars for a list, its numbers in its label. */
export function Sparkline({ periods, label }: { periods: PeriodCounts[]; label: string }) {
  return (
    <svg class="sparkline" viewBox={`0 0 ${periods.length * SLOT} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={`${label}: ${summary(periods)}`}>
      <Bars periods={periods} />
    </svg>
  );
}
