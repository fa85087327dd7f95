// JUnit XML checked against the schema the repository keeps (schema/junit.xsd), with libxml2's
// XSD validation compiled to WebAssembly (xmllint-wasm): no network, no native build.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { PACKAGE_ROOT } from '../engine/index.js';

/** libxml2's verdict on the document: valid, or the messages of what is wrong. */
export async function validateJunit(xml: string): Promise<{ valid: boolean; errors: string[] }> {
  const xsd = await readFile(join(PACKAGE_ROOT, 'schema', 'junit.xsd'), 'utf8');
  const r = await validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [xsd] });
  return { valid: r.valid, errors: r.errors.map((e) => e.rawMessage) };
}
