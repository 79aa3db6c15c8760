import type { WireReader } from './wire.js';
import { WireWriter } from './wire.js';

/*
 * Request Header v1 => request_api_key request_api_version correlation_id client_id
 *   request_api_key => INT16
 *   request_api_version => INT16
 *   correlation_id => INT32
 *   client_id => NULLABLE_STRING
 *
 * Response Header v0 => correlation_id
 *   correlation_id => INT32
 *
 * The header versions of every non-flexible request and response; see
 * https://kafka.apache.org/protocol#protocol_messages.
 */

/** Request header v1 followed by the body `body` writes; framed with its size. */
export function encodeRequest(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  clientId: string,
  body: (w: WireWriter) => void,
): Buffer {
  const w = new WireWriter().int16(apiKey).int16(apiVersion).int32(correlationId).string(clientId);
  body(w);
  return w.framed();
}

/** Reads response header v0; returns the correlation id and leaves `r` at the body. */
export function decodeResponseHeader(r: WireReader): number {
  return r.int32();
}
