/**
 * Validation of SAML metadata against the OASIS metadata schema (test/frontend/saml/fixtures/
 * metadata-schema), compiled once with libxml2 like the IdP's protocol schema, with the same
 * imports (XML Signature, XML Encryption, assertion) from src/frontend/saml/schemas.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  XmlDocument,
  XmlValidateError,
  type XsdValidator,
} from '../../src/frontend/saml/libxml2.js';
import { compileSchema } from '../../src/frontend/saml/schema-validator.js';
import { PROJECT_ROOT } from '../../src/core/paths.js';

const FIXTURES = path.join(PROJECT_ROOT, 'test', 'frontend', 'saml', 'fixtures', 'metadata-schema');
const SCHEMAS = path.join(PROJECT_ROOT, 'src', 'frontend', 'saml', 'schemas');
const MAIN = 'saml-schema-metadata-2.0.xsd';

let validator: XsdValidator | undefined;

/** libxml2's complaints about the document, or [] when it is schema-valid metadata. */
export function metadataSchemaErrors(xml: string): string[] {
  validator ??= compile();
  const doc = XmlDocument.fromString(xml);
  try {
    validator.validate(doc);
    return [];
  } catch (err) {
    if (err instanceof XmlValidateError) return err.details.map((d) => d.message.trim());
    throw err;
  } finally {
    doc.dispose();
  }
}

function compile(): XsdValidator {
  const dsig = readFileSync(path.join(SCHEMAS, 'xmldsig-core-schema.xsd'));
  const xenc = readFileSync(path.join(SCHEMAS, 'xenc-schema.xsd'));
  const files: Record<string, Uint8Array> = {
    [MAIN]: readFileSync(path.join(FIXTURES, MAIN)),
    // The metadata schema imports these by their W3C addresses; nothing is fetched.
    'http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd': dsig,
    'http://www.w3.org/TR/2002/REC-xmlenc-core-20021210/xenc-schema.xsd': xenc,
    'http://www.w3.org/2001/xml.xsd': readFileSync(path.join(FIXTURES, 'xml.xsd')),
    'xmldsig-core-schema.xsd': dsig,
    'xenc-schema.xsd': xenc,
  };
  for (const name of ['saml-schema-assertion-2.0.xsd', 'XMLSchema.dtd', 'datatypes.dtd'])
    files[name] = readFileSync(path.join(SCHEMAS, name));
  return compileSchema(files, MAIN).validator;
}
