/** Folders of the installed IdP, found from this file's own location. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VIEWS_DIR = path.join(PROJECT_ROOT, 'views');
export const DEFAULT_CONF_DIR = path.join(PROJECT_ROOT, 'conf');
