/**
 * XML Schema validation of inbound SAML messages against the SAML 2.0 protocol schema (and the
 * assertion, XML-signature and XML-encryption schemas it imports), with libxml2 compiled to
 * WebAssembly. The schema is compiled once, when this module is loaded; a validation then runs on
 * the calling thread in a fraction of a millisecond (no worker, no per-request start-up), so its
 * cost is bounded by the message size limit.
 *
 * The imported schema files are served from memory by an input provider that answers only while
 * the schema is being compiled: no inbound document can ever make libxml2 read one of them (or
 * anything else).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  XmlBufferInputProvider,
  XmlDocument,
  xmlRegisterInputProvider,
  XmlValidateError,
  XsdValidator,
} from './libxml2.js';
import { firstLine, malformed } from './inbound-errors.js';

const SCHEMA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'schemas');
const MAIN_SCHEMA = 'saml-schema-protocol-2.0.xsd';
const IMPORTED = [
  'saml-schema-assertion-2.0.xsd',
  'xmldsig-core-schema.xsd',
  'xenc-schema.xsd',
  'XMLSchema.dtd',
  'datatypes.dtd',
];

const compiled = compile();

/** Throws MESSAGE_MALFORMED with libxml2's first complaint when the document is not schema-valid. */
export function validateSamlSchema(doc: XmlDocument): void {
  try {
    compiled.validator.validate(doc);
  } catch (err) {
    const detail =
      err instanceof XmlValidateError ? (err.details[0]?.message ?? err.message) : String(err);
    throw malformed(`AuthnRequest is not valid SAML 2.0 (${firstLine(detail)})`, err);
  }
}

/** The protocol schema, compiled from the files shipped beside this module. */
function compile(): CompiledSchema {
  const files: Record<string, Uint8Array> = {};
  for (const name of [MAIN_SCHEMA, ...IMPORTED])
    files[name] = readFileSync(path.join(SCHEMA_DIR, name));
  return compileSchema(files, MAIN_SCHEMA);
}

/** A validator, and the schema document it was compiled from (kept: libxml2 may refer to it). */
export interface CompiledSchema {
  readonly validator: XsdValidator;
  readonly schema: XmlDocument;
}

/**
 * Compiles `files[main]`, its imports and includes answered from `files` (by the name or address
 * the schema gives) and from nowhere else, only while compiling.
 */
export function compileSchema(files: Record<string, Uint8Array>, main: string): CompiledSchema {
  const provider = new XmlBufferInputProvider(files);
  let compiling = true;
  xmlRegisterInputProvider({
    match: (name) => compiling && provider.match(name),
    open: (name) => provider.open(name),
    read: (fd, buf) => provider.read(fd, buf),
    close: (fd) => provider.close(fd),
  });
  try {
    const schema = XmlDocument.fromBuffer(files[main]!, { url: main });
    return { validator: XsdValidator.fromDoc(schema), schema };
  } finally {
    compiling = false;
  }
}
