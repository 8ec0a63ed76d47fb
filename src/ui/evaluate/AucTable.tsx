import type { AucRow, EvaluateMethodResult } from '../../store/evaluateSlice';
import { formatNumber } from '../plots/Axis';

function statusText(row: AucRow, result: EvaluateMethodResult | undefined): string {
  switch (row.status) {
    case 'waiting': return 'Waiting';
    case 'running': return `Measuring… ${result?.curve?.rates.length ?? 0} points`;
    case 'cancelled': return 'Not finished';
    case 'error': return 'Failed';
    case 'done': return result?.milliseconds !== null && result?.milliseconds !== undefined ? `${(result.milliseconds / 1000).toFixed(1)} s` : 'Done';
  }
}

const area = (v: number | null, se: number | null) => (v === null ? '–' : se === null ? formatNumber(v) : `${formatNumber(v)} ± ${formatNumber(se)}`);

/**
 * The areas under the curves, best (lowest) first. Each row names its map's origin; a method
 * that failed says why in its row.
 */
export function AucTable({ rows, results, labels, colours, maxRate }: {
  rows: AucRow[]; results: Record<string, EvaluateMethodResult>; labels: Record<string, string>; colours: Record<string, string>; maxRate: number;
}) {
  let rank = 0;
  return (
    <table className="auc-table" data-testid="evaluate-auc">
      <caption>
        Area under each curve (distortion × rate): <strong>lower is better</strong>, the map&apos;s first components keep the score closest to
        the full input. Ranked by the area up to {formatNumber(maxRate * 100)} %; ± one standard error over the fillings.
      </caption>
      <thead>
        <tr>
          <th scope="col">Rank</th>
          <th scope="col">Method</th>
          <th scope="col">AUC ≤ 5 %</th>
          <th scope="col">AUC ≤ 20 %</th>
          <th scope="col">AUC ≤ {formatNumber(maxRate * 100)} %</th>
          <th scope="col">Map</th>
          <th scope="col">Curve</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const result = results[row.methodId];
          return (
            <tr key={row.methodId} data-testid={`evaluate-row-${row.methodId}`} data-status={row.status}>
              <td>{row.all !== null ? ++rank : ''}</td>
              <th scope="row">
                <span className="swatch" style={{ background: colours[row.methodId] }} aria-hidden="true" />
                {labels[row.methodId] ?? row.methodId}
              </th>
              <td>{area(row.r5, row.stderr.r5)}</td>
              <td>{area(row.r20, row.stderr.r20)}</td>
              <td data-testid={`evaluate-auc-${row.methodId}`}>{area(row.all, row.stderr.all)}</td>
              <td>{result?.map === 'grid' ? 'from the grid' : 'computed'}</td>
              <td>
                {statusText(row, result)}
                {row.error && <span className="error evaluate-row-error" data-testid={`evaluate-error-${row.methodId}`}>: {row.error}</span>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
