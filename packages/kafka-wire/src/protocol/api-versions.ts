import type { WireReader } from './wire.js';

/*
 * ApiVersions Request (Version: 0) =>
 *
 * ApiVersions Response (Version: 0) => error_code [api_keys]
 *   error_code => INT16
 *   api_keys => api_key min_version max_version
 *     api_key => INT16
 *     min_version => INT16
 *     max_version => INT16
 *
 * From https://kafka.apache.org/protocol#The_Messages_ApiVersions. The request has no body.
 */

/** Version range a broker serves, per API key. */
export type ApiVersions = Map<number, { min: number; max: number }>;

export function decodeApiVersions(r: WireReader): { errorCode: number; versions: ApiVersions } {
  const errorCode = r.int16();
  const versions: ApiVersions = new Map();
  for (const v of r.array((x) => ({ key: x.int16(), min: x.int16(), max: x.int16() })))
    versions.set(v.key, { min: v.min, max: v.max });
  return { errorCode, versions };
}
