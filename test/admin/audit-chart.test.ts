import { describe, expect, it } from 'vitest';
import { DOMParser } from '@xmldom/xmldom';
import { dailyChartSvg, daysBetween } from '../../src/admin/audit-chart.js';

describe("the auditors' chart", () => {
  it('draws one bar per day and count, scaled to the largest, with the numbers in titles', () => {
    const svg = dailyChartSvg([
      { day: '2026-11-29', impersonations: 4, refusals: 1 },
      { day: '2026-11-30', impersonations: 0, refusals: 2 },
    ]);
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    const bars = [...Array.from(doc.getElementsByTagName('rect'))].filter(
      (r) => r.getElementsByTagName('title').length,
    );
    expect(bars.map((b) => b.getElementsByTagName('title')[0]!.textContent)).toEqual([
      '2026-11-29: 4 impersonations',
      '2026-11-29: 1 refusals',
      '2026-11-30: 0 impersonations',
      '2026-11-30: 2 refusals',
    ]);
    const heights = bars.map((b) => Number(b.getAttribute('height')));
    expect(heights[0]).toBeGreaterThan(heights[3]!);
    expect(heights[3]).toBeGreaterThan(heights[1]!);
    expect(heights[2]).toBe(0);
    expect(svg).not.toMatch(/style=|<script|href/);
  });

  it('escapes the text it draws and draws nothing for no days', () => {
    expect(dailyChartSvg([])).toBe('');
    const svg = dailyChartSvg([{ day: '<b>&"x', impersonations: 1, refusals: 0 }]);
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;b&gt;&amp;&quot;x');
  });

  it('lists every day between two days, keeping the last ones when there are too many', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(daysBetween('2026-01-01', '2026-12-31', 3)).toEqual([
      '2026-12-29',
      '2026-12-30',
      '2026-12-31',
    ]);
  });
});
