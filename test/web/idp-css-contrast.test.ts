/**
 * WCAG 2.x AA contrast of the IdP pages' colours, read from views/static/idp.css itself: text
 * 4.5:1 against its background (1.4.3), input borders and chart marks 3:1 (1.4.11, non-text
 * contrast). Relative luminance and contrast ratio as WCAG defines them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const CSS = readFileSync(new URL('../../views/static/idp.css', import.meta.url), 'utf8');

/** Every rule's declarations, by each selector of its selector list (comments removed). */
function rules(css: string): Map<string, Map<string, string>> {
  const bySelector = new Map<string, Map<string, string>>();
  const body = css.replace(/\/\*[\s\S]*?\*\//g, '');
  for (const [, selectors, block] of body.matchAll(/([^{}]+)\{([^}]*)\}/g)) {
    const declarations = new Map<string, string>();
    for (const declaration of block!.split(';')) {
      const colon = declaration.indexOf(':');
      if (colon > 0)
        declarations.set(declaration.slice(0, colon).trim(), declaration.slice(colon + 1).trim());
    }
    for (const selector of selectors!.split(','))
      bySelector.set(selector.trim().replace(/\s+/g, ' '), declarations);
  }
  return bySelector;
}

const RULES = rules(CSS);

/** The one #rrggbb (or #rgb) colour in a declaration of a rule. */
function colour(selector: string, property: string): string {
  const value = RULES.get(selector)?.get(property);
  const hex = value?.match(/#(?:[0-9a-f]{6}|[0-9a-f]{3})\b/i)?.[0];
  if (!hex) throw new Error(`idp.css: no colour for ${selector} { ${property} }`);
  return hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join('')}` : hex;
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

describe('contrastRatio', () => {
  it('gives WCAG’s extremes and a known pair', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#777777')).toBe(1);
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2); // the usual AA threshold grey
  });
});

describe('idp.css meets WCAG AA', () => {
  const page = colour('body', 'background'); // the footer sits outside main, on the page
  const card = colour('main', 'background');

  it('footer text: at least 4.5:1 on the page background', () => {
    expect(contrastRatio(colour('footer', 'color'), page)).toBeGreaterThanOrEqual(4.5);
  });

  it.each(['input[type=text]', 'input[type=password]', 'select'])(
    '%s border: at least 3:1 on the card and on the page',
    (selector) => {
      const border = colour(selector, 'border');
      expect(contrastRatio(border, card)).toBeGreaterThanOrEqual(3);
      expect(contrastRatio(border, page)).toBeGreaterThanOrEqual(3);
    },
  );

  it.each(['body', '.brand', '.detail', '.notice', 'button.secondary'])(
    '%s text: at least 4.5:1',
    (selector) => {
      const background = RULES.get(selector)?.has('background')
        ? colour(selector, 'background')
        : card;
      expect(contrastRatio(colour(selector, 'color'), background)).toBeGreaterThanOrEqual(4.5);
    },
  );

  it('text on coloured backgrounds: buttons and the error message, at least 4.5:1', () => {
    expect(
      contrastRatio(colour('button', 'color'), colour('button', 'background')),
    ).toBeGreaterThanOrEqual(4.5);
    expect(
      contrastRatio(colour('.error', 'color'), colour('.error', 'background')),
    ).toBeGreaterThanOrEqual(4.5);
  });

  it('the audit chart’s axis and bars: at least 3:1 on the card', () => {
    expect(
      contrastRatio(colour('.audit-chart .chart-axis', 'stroke'), card),
    ).toBeGreaterThanOrEqual(3);
    for (const bars of ['.audit-chart .chart-impersonations', '.audit-chart .chart-refusals'])
      expect(contrastRatio(colour(bars, 'fill'), card)).toBeGreaterThanOrEqual(3);
  });
});
