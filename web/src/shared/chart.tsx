import { useId } from 'react';
import { formatDate } from './format';

export type Series = {
  name: string;
  /** CSS class giving the line its colour and dash (colour is never the only difference). */
  className: string;
  values: readonly number[];
};

type Props = {
  title: string;
  /** One label per point, e.g. ISO dates. */
  labels: readonly string[];
  series: readonly Series[];
  height?: number;
};

const width = 640;
const padding = { top: 16, right: 16, bottom: 28, left: 36 };

/** A round maximum for the y axis and its ticks (0, ¼, ½, ¾, max). */
function scaleOf(maximum: number): { top: number; ticks: number[] } {
  if (maximum <= 4) return { top: 4, ticks: [0, 1, 2, 3, 4] };
  const step = 10 ** Math.floor(Math.log10(maximum / 4));
  const nice = [1, 2, 5, 10].map((factor) => factor * step).find((size) => size * 4 >= maximum) ?? step * 10;
  return { top: nice * 4, ticks: [0, 1, 2, 3, 4].map((index) => index * nice) };
}

/**
 * A small line chart in SVG: no library, scales with its container, readable without colour (dash
 * patterns and marker shapes), described for screen readers, with the numbers in a table beneath.
 */
export function LineChart({ title, labels, series, height = 220 }: Props) {
  const titleId = useId();
  const descId = useId();
  const maximum = Math.max(0, ...series.flatMap((line) => line.values));
  const { top, ticks } = scaleOf(maximum);
  const innerWidth = width - padding.left - padding.right;
  const innerHeight = height - padding.top - padding.bottom;
  const x = (index: number) =>
    padding.left + (labels.length <= 1 ? innerWidth / 2 : (index / (labels.length - 1)) * innerWidth);
  const y = (value: number) => padding.top + innerHeight - (value / top) * innerHeight;
  const every = Math.max(1, Math.ceil(labels.length / 6));
  const totals = series.map((line) => `${line.name}: ${line.values.reduce((sum, value) => sum + value, 0)}`);

  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${titleId} ${descId}`}>
        <title id={titleId}>{title}</title>
        <desc id={descId}>
          {`From ${formatDate(labels[0])} to ${formatDate(labels.at(-1))}. Totals — ${totals.join(', ')}.`}
        </desc>
        {ticks.map((tick) => (
          <g key={tick} className="chart-grid">
            <line x1={padding.left} x2={width - padding.right} y1={y(tick)} y2={y(tick)} />
            <text x={padding.left - 6} y={y(tick)} dy="0.32em" textAnchor="end">
              {tick}
            </text>
          </g>
        ))}
        {labels.map((text, index) =>
          index % every === 0 || index === labels.length - 1 ? (
            <text key={text} className="chart-axis" x={x(index)} y={height - 8} textAnchor="middle">
              {formatDate(text).replace(/ \d{4}$/, '')}
            </text>
          ) : null,
        )}
        {series.map((line, seriesIndex) => (
          <g key={line.name} className={line.className}>
            <polyline
              fill="none"
              points={line.values.map((value, index) => `${x(index)},${y(value)}`).join(' ')}
            />
            {line.values.map((value, index) =>
              value === 0 ? null : seriesIndex === 0 ? (
                <circle key={labels[index]} cx={x(index)} cy={y(value)} r={3} />
              ) : (
                <rect key={labels[index]} x={x(index) - 3} y={y(value) - 3} width={6} height={6} />
              ),
            )}
          </g>
        ))}
      </svg>
      <figcaption className="chart-legend">
        {series.map((line, index) => (
          <span key={line.name} className={line.className}>
            <svg width="28" height="10" aria-hidden="true">
              <line x1="0" x2="28" y1="5" y2="5" />
              {index === 0 ? <circle cx="14" cy="5" r="3" /> : <rect x="11" y="2" width="6" height="6" />}
            </svg>
            {line.name}
          </span>
        ))}
      </figcaption>
      <details className="chart-data">
        <summary>Show the numbers</summary>
        <table>
          <caption className="visually-hidden">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              {series.map((line) => (
                <th scope="col" key={line.name}>
                  {line.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((text, index) => (
              <tr key={text}>
                <th scope="row">{formatDate(text)}</th>
                {series.map((line) => (
                  <td key={line.name}>{line.values[index] ?? 0}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
