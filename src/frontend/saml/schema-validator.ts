/**
 * XML Schema validation of inbound SAML messages for samlify, with xmllint compiled to
 * WebAssembly (xmllint-wasm), run in a worker thread so a large message does not block the event
 * loop. The schemas are read once, here. (The older node-xmllint build samlify suggests registers
 * a process.exit on stdout "drain" at every validation — not something an IdP can run.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML, type XMLFileInfo } from 'xmllint-wasm';

const SCHEMA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'schemas');
const MAIN_SCHEMA = 'saml-schema-protocol-2.0.xsd';
const IMPORTED = ['saml-schema-assertion-2.0.xsd', 'xmldsig-core-schema.xsd', 'xenc-schema.xsd', 'XMLSchema.dtd', 'datatypes.dtd'];

export interface SchemaValidator {
  validate(xml: string): Promise<string>;
}

export function samlSchemaValidator(): SchemaValidator {
  const read = (fileName: string): XMLFileInfo => ({ fileName, contents: readFileSync(path.join(SCHEMA_DIR, fileName), 'utf8') });
  const schema = read(MAIN_SCHEMA);
  const preload = IMPORTED.map(read);
  return {
    async validate(xml: string): Promise<string> {
      const result = await validateXML({ xml: [{ fileName: 'message.xml', contents: xml }], schema: [schema], preload });
      if (result.valid) return 'SUCCESS_VALIDATE_XML';
      throw new Error(`ERR_INVALID_XML: ${result.errors[0]?.message ?? 'schema validation failed'}`);
    },
  };
}
