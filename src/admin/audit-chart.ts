/**
 * The auditors' page chart: impersonations and refusals per day as an SVG bar chart, drawn on the
 * server — no script, no chart library, nothing fetched, so the page works offline and under the
 * IdP's Content-Security-Policy (presentation attributes and classes only, no style attributes).
 * Every text in it is XML-escaped; the numbers are the only data drawn.
 */
export interface DayCounts {
  /** UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly impersonations: number;
  readonly refusals: number;
}

const HEIGHT = 180;
const TOP = 16;
const BOTTOM = 40;
const LEFT = 40;
const BAR = 12;
const DAY_WIDTH = 2 * BAR + 10;

function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** The SVG element for `days` (in order), or an empty string when there is nothing to draw. */
export function dailyChartSvg(days: readonly DayCounts[]): string {
  if (days.length === 0) return '';
  const max = Math.max(1, ...days.flatMap((d) => [d.impersonations, d.refusals]));
  const plot = HEIGHT - TOP - BOTTOM;
  // At least as wide as the legend below the bars.
  const width = Math.max(LEFT + days.length * DAY_WIDTH + 10, LEFT + 230);
  const y = (n: number) => TOP + plot - Math.round((n / max) * plot);
  const bars = days.map((d, i) => {
    const x = LEFT + i * DAY_WIDTH;
    const bar = (cls: string, n: number, dx: number, what: string) =>
      `<rect class="${cls}" x="${x + dx}" y="${y(n)}" width="${BAR}" height="${TOP + plot - y(n)}"><title>${escapeXml(`${d.day}: ${n} ${what}`)}</title></rect>`;
    return [
      bar('chart-impersonations', d.impersonations, 0, 'impersonations'),
      bar('chart-refusals', d.refusals, BAR, 'refusals'),
      `<text class="chart-label" x="${x + BAR}" y="${HEIGHT - BOTTOM + 14}" text-anchor="middle">${escapeXml(d.day.slice(5))}</text>`,
    ].join('');
  });
  const summary = `Impersonations and refusals per day, ${days[0]!.day} to ${days.at(-1)!.day}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="audit-chart" role="img" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" aria-label="${escapeXml(summary)}">`,
    `<title>${escapeXml(summary)}</title>`,
    `<line class="chart-axis" x1="${LEFT}" y1="${TOP + plot}" x2="${width - 5}" y2="${TOP + plot}"/>`,
    `<text class="chart-label" x="${LEFT - 6}" y="${TOP + 4}" text-anchor="end">${max}</text>`,
    `<text class="chart-label" x="${LEFT - 6}" y="${TOP + plot}" text-anchor="end">0</text>`,
    ...bars,
    `<rect class="chart-impersonations" x="${LEFT}" y="${HEIGHT - 16}" width="10" height="10"/>`,
    `<text class="chart-label" x="${LEFT + 14}" y="${HEIGHT - 7}">impersonations</text>`,
    `<rect class="chart-refusals" x="${LEFT + 120}" y="${HEIGHT - 16}" width="10" height="10"/>`,
    `<text class="chart-label" x="${LEFT + 134}" y="${HEIGHT - 7}">refusals</text>`,
    '</svg>',
  ].join('');
}

/**
 * Every UTC day from `first` to `last` (YYYY-MM-DD), so days without records show as gaps; at
 * most the last `cap` of them.
 */
export function daysBetween(first: string, last: string, cap = 92): string[] {
  const DAY = 86_400_000;
  const end = Date.parse(`${last}T00:00:00Z`);
  const start = Math.max(Date.parse(`${first}T00:00:00Z`), end - (cap - 1) * DAY);
  const days: string[] = [];
  for (let t = start; t <= end; t += DAY) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
