/**
 * Which of the SP's AssertionConsumerServices the response goes to (SAML core §3.4.1, as
 * Shibboleth resolves it), from the AuthnRequest's root — the element its signature covers:
 *
 *   AssertionConsumerServiceIndex   that endpoint, or refused
 *   AssertionConsumerServiceURL     an endpoint with exactly that Location (and the ProtocolBinding,
 *                                   when given), or refused
 *   neither                         the SP's default HTTP-POST endpoint (defaultAcs)
 *
 * The index excludes the other two (the schema says so). Responses go by HTTP-POST only: an
 * endpoint of another binding (Artifact, PAOS, Redirect) is never chosen, and a request asking for
 * one is refused, not answered some other way. A refusal is a local error (EndpointResolutionFailed):
 * there is no endpoint to send a Response to.
 */
import { IdpError } from '../../core/errors.js';
import type { SamlServiceProvider } from '../../relying-party/relying-party.js';
import {
  defaultAcs,
  HTTP_POST_BINDING,
  type AcsEndpoint,
} from '../../relying-party/saml-endpoints.js';

export function selectAcs(
  sp: SamlServiceProvider,
  fields: ReadonlyMap<string, string>,
): AcsEndpoint {
  const index = fields.get('AssertionConsumerServiceIndex');
  const url = fields.get('AssertionConsumerServiceURL');
  const binding = fields.get('ProtocolBinding');
  if (index !== undefined && (url !== undefined || binding !== undefined))
    throw unresolved(
      'AssertionConsumerServiceIndex excludes AssertionConsumerServiceURL and ProtocolBinding',
    );
  if (binding !== undefined && binding !== HTTP_POST_BINDING)
    throw unresolved(
      `ProtocolBinding ${JSON.stringify(binding)} is not supported: responses are sent by HTTP-POST only`,
    );
  if (index !== undefined) return byIndex(sp, index);
  if (url !== undefined) return byLocation(sp, url);
  const fallback = defaultAcs(sp.assertionConsumerServices);
  if (!fallback) throw unresolved(`${sp.id} has no HTTP-POST AssertionConsumerService`);
  return fallback;
}

function byIndex(sp: SamlServiceProvider, text: string): AcsEndpoint {
  const index = /^\s*\d{1,5}\s*$/.test(text) ? Number(text) : NaN;
  const endpoint = sp.assertionConsumerServices.find((e) => e.index === index);
  if (!endpoint)
    throw unresolved(
      `AssertionConsumerServiceIndex ${JSON.stringify(text)} names no endpoint registered for ${sp.id}`,
    );
  if (endpoint.binding !== HTTP_POST_BINDING)
    throw unresolved(
      `AssertionConsumerServiceIndex ${index} of ${sp.id} has binding ${JSON.stringify(endpoint.binding)}: responses are sent by HTTP-POST only`,
    );
  return endpoint;
}

/** Compared as written, byte for byte: no normalisation can make another URL pass for it. */
function byLocation(sp: SamlServiceProvider, url: string): AcsEndpoint {
  const registered = sp.assertionConsumerServices.filter((e) => e.location === url);
  if (registered.length === 0)
    throw unresolved(
      `AssertionConsumerServiceURL ${JSON.stringify(url)} is not registered for ${sp.id}`,
    );
  const post = registered.find((e) => e.binding === HTTP_POST_BINDING);
  if (!post)
    throw unresolved(
      `AssertionConsumerServiceURL ${JSON.stringify(url)} of ${sp.id} is registered only for ${registered.map((e) => e.binding).join(', ')}: responses are sent by HTTP-POST only`,
    );
  return post;
}

function unresolved(message: string): IdpError {
  return new IdpError('ENDPOINT_RESOLUTION_FAILED', message);
}
