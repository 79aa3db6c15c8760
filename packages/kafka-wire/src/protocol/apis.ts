/**
 * The Kafka APIs the clients speak and the one version sent of each. Non-flexible versions only:
 * the flexible ones (Produce v9+, Fetch v12+, Metadata v9+, ApiVersions v3+) add compact encodings
 * and tagged fields we would gain nothing from. Produce v3 is the first with RecordBatch v2 and the
 * oldest Apache Kafka 4.x still accepts (it dropped v0–v2); 4.x accepts Metadata v0–v13 and Fetch
 * v4–v17, and Redpanda serves these too. Keys from https://kafka.apache.org/protocol#protocol_api_keys.
 */

export const ApiKey = { produce: 0, fetch: 1, metadata: 3, apiVersions: 18 } as const;
export type ApiKey = (typeof ApiKey)[keyof typeof ApiKey];

/** The version sent per API: every request of this package is built at this version. */
export const API_VERSION: Readonly<Record<ApiKey, number>> = {
  [ApiKey.produce]: 3,
  [ApiKey.fetch]: 11,
  [ApiKey.metadata]: 5,
  [ApiKey.apiVersions]: 0,
};
