/**
 * The body of a POST-binding request, read only after the request was admitted, with a size cap
 * (checked against Content-Length before reading, and while reading) and a deadline, so that a
 * large or slow body costs neither memory nor a place in the admission cap for long.
 */
import type { Request } from 'express';
import { IdpError } from '../../core/errors.js';
import { malformed } from './saml-xml.js';

export interface FormLimits {
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

export async function readFormBody(req: Request, limits: FormLimits): Promise<string> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const [mediaType, ...params] = type.split(';').map((s) => s.trim());
  const charset = params.find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '');
  const declaredLength = Number(req.headers['content-length'] ?? 0);
  if (declaredLength > limits.maxBytes) throw tooLarge(limits.maxBytes);
  if (mediaType === '' && declaredLength === 0 && req.headers['transfer-encoding'] === undefined) {
    throw malformed('the POST binding request has no form body (SAMLRequest is missing)');
  }
  if (mediaType !== 'application/x-www-form-urlencoded') {
    throw malformed(`the POST binding takes an application/x-www-form-urlencoded form, not ${JSON.stringify(mediaType || '(no content type)')}`);
  }
  if (charset !== undefined && charset !== 'utf-8') throw malformed(`the form must be UTF-8, not ${JSON.stringify(charset)}`);
  if (req.readableEnded) return '';
  return (await readAll(req, limits)).toString('latin1');
}

function readAll(req: Request, limits: FormLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: IdpError) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (err) {
        // Stop reading; the refusal is sent with Connection: close, so the rest is never parsed.
        req.pause();
        reject(err);
      } else {
        resolve(Buffer.concat(chunks, size));
      }
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) done(tooLarge(limits.maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = (err: Error) => done(malformed(`the request body could not be read (${err.message})`));
    const onAborted = () => done(malformed('the request body was not sent completely'));
    const timer = setTimeout(() => done(new IdpError('MESSAGE_TIMEOUT', `the request body took longer than ${limits.timeoutMs} ms to arrive`)), limits.timeoutMs);
    req.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}

function tooLarge(max: number): IdpError {
  return new IdpError('MESSAGE_TOO_LARGE', `the request body is larger than ${max} bytes`);
}
