import type { BrokerConnection } from './connection.js';
import {
  API_VERSION,
  ApiKey,
  decodeApiVersions,
  decodeMetadata,
  encodeMetadata,
  type ClusterMetadata,
} from './protocol.js';

/**
 * Asks the broker which API versions it serves; returns why it cannot serve one of `wanted`
 * (`[apiKey, version]` pairs), or null when it serves them all. Callers throw their own error.
 */
export async function unservedApi(
  conn: BrokerConnection,
  wanted: readonly (readonly [number, number])[],
  timeoutMs: number,
): Promise<string | null> {
  const r = await conn.request(ApiKey.apiVersions, 0, () => undefined, timeoutMs);
  const { versions } = decodeApiVersions(r);
  for (const [api, want] of wanted) {
    const v = versions.get(api);
    if (v === undefined || want < v.min || want > v.max)
      return `${conn.address} does not serve API ${String(api)} v${String(want)} (serves ${v ? `v${String(v.min)}–v${String(v.max)}` : 'none'})`;
  }
  return null;
}

/** Cluster metadata (brokers, partition leaders) for `topics`, over `conn`. */
export async function requestMetadata(
  conn: BrokerConnection,
  topics: readonly string[],
  timeoutMs: number,
): Promise<ClusterMetadata> {
  const r = await conn.request(
    ApiKey.metadata,
    API_VERSION[ApiKey.metadata],
    encodeMetadata(topics),
    timeoutMs,
  );
  return decodeMetadata(r);
}
