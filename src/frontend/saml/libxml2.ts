/**
 * libxml2-wasm, loaded once for the SAML front-end. Every value the IdP uses from it comes from
 * here (types may still be imported from 'libxml2-wasm' directly: they are erased).
 *
 * Why not a plain import: the package's libxml2raw.mjs is a 1 MB module with the WebAssembly
 * binary in a string literal, and when Node runs with module customization hooks — tsx, which
 * `npm start` uses, is one — tsx's load hook keeps about 150 MB of RSS for the rest of the process
 * after reading that one file (measured on Node 20.20: 74 → 230 MB; 74 → 81 MB when the file
 * bypasses tsx). So when hooks are in use, a pass-through hook hands exactly that file to Node
 * unchanged, as Node would load it with no hooks at all. Without hooks nothing is registered.
 */
import { register } from 'node:module';
import type * as Lx from 'libxml2-wasm';

const RAW_MODULE = '/node_modules/libxml2-wasm/lib/libxml2raw.mjs';
const PASS_THROUGH_HOOK = `
import { readFile } from 'node:fs/promises';
export async function load(url, context, next) {
  if (url.startsWith('file:') && url.endsWith(${JSON.stringify(RAW_MODULE)})) {
    return { format: 'module', source: await readFile(new URL(url)), shortCircuit: true };
  }
  return next(url, context);
}`;

if (moduleHooksInUse()) register(`data:text/javascript,${encodeURIComponent(PASS_THROUGH_HOOK)}`);
const lx = await import('libxml2-wasm');

export const {
  ParseOption,
  XmlBufferInputProvider,
  XmlC14NMode,
  XmlDocument,
  XmlElement,
  XmlParseError,
  xmlRegisterInputProvider,
  XmlStringOutputBufferHandler,
  XmlValidateError,
  XmlXPath,
  XsdValidator,
} = lx;
export type XmlDocument = Lx.XmlDocument;
export type XmlElement = Lx.XmlElement;
export type XmlXPath = Lx.XmlXPath;
export type XsdValidator = Lx.XsdValidator;

/** Whether this process was started with a loader (--import/--loader), so a hook thread exists. */
function moduleHooksInUse(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.some((flag) => /^--(import|loader|experimental-loader)\b/.test(flag));
}
