/**
 * The endpoints of an SP's SPSSODescriptor (SAML metadata §2.2.2-2.2.3, §2.4.4): every
 * AssertionConsumerService with its Location, Binding, index and isDefault, and every
 * SingleLogoutService. Whatever the schema requires (Location, Binding, a numeric index) is
 * checked, and so are the rules an IdP relies on when choosing one: no two ACS share an index, at
 * most one is marked the default, every Location is an absolute http(s) URL.
 */
import type { AcsEndpoint, SloEndpoint } from './saml-endpoints.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';

export function assertionConsumerServices(descriptor: Element): AcsEndpoint[] {
  const endpoints = elementChildren(descriptor, 'AssertionConsumerService').map((el) => ({
    location: url(el, 'Location', 'AssertionConsumerService'),
    binding: required(el, 'Binding', 'AssertionConsumerService'),
    index: index(el),
    ...isDefault(el),
  }));
  const seen = new Set<number>();
  for (const { index } of endpoints) {
    if (seen.has(index))
      throw new Error(`has two AssertionConsumerService endpoints with index ${index}`);
    seen.add(index);
  }
  if (endpoints.filter((e) => e.isDefault === true).length > 1)
    throw new Error('marks more than one AssertionConsumerService isDefault="true"');
  return endpoints;
}

export function singleLogoutServices(descriptor: Element): SloEndpoint[] {
  return elementChildren(descriptor, 'SingleLogoutService').map((el) => {
    const responseLocation = el.hasAttribute('ResponseLocation')
      ? url(el, 'ResponseLocation', 'SingleLogoutService')
      : undefined;
    return {
      location: url(el, 'Location', 'SingleLogoutService'),
      binding: required(el, 'Binding', 'SingleLogoutService'),
      ...(responseLocation === undefined ? {} : { responseLocation }),
    };
  });
}

/** The SPSSODescriptor's NameIDFormat elements, in order (what formats the SP says it takes). */
export function nameIdFormats(descriptor: Element): string[] {
  return elementChildren(descriptor, 'NameIDFormat')
    .map((el) => (el.textContent ?? '').trim())
    .filter((f) => f !== '');
}

function required(el: Element, name: string, what: string): string {
  const value = el.getAttribute(name)?.trim();
  if (!value) throw new Error(`has a ${what} without ${name}`);
  return value;
}

/** A Location (or ResponseLocation): an absolute http(s) URL, the only kind a browser is sent to. */
function url(el: Element, name: string, what: string): string {
  const value = required(el, name, what);
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'https:' && protocol !== 'http:')
    throw new Error(`has a ${what} whose ${name} ${JSON.stringify(value)} is no http(s) URL`);
  return value;
}

/** xs:unsignedShort, required on an indexed endpoint. */
function index(el: Element): number {
  const text = el.getAttribute('index')?.trim() ?? '';
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n <= 65535))
    throw new Error(
      `has an AssertionConsumerService whose index ${JSON.stringify(text)} is not a number from 0 to 65535`,
    );
  return n;
}

/** The isDefault attribute as a field; none when absent (an unmarked endpoint may still be the default). */
function isDefault(el: Element): { isDefault?: boolean } {
  if (!el.hasAttribute('isDefault')) return {};
  const value = el.getAttribute('isDefault')?.trim();
  if (value === 'true' || value === '1') return { isDefault: true };
  if (value === 'false' || value === '0') return { isDefault: false };
  throw new Error(
    `has an AssertionConsumerService whose isDefault ${JSON.stringify(value)} is not a boolean`,
  );
}

function elementChildren(parent: Element, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    const el = n as Element;
    if (n.nodeType === 1 && el.namespaceURI === MD && el.localName === localName) out.push(el);
  }
  return out;
}
