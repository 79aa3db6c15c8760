import { tcpExchange } from './proc.js';

// A minimal Kafka wire-protocol health check, so readiness means "answers Kafka requests and
// lists a live broker", not just "a port is open". Works against Kafka and Redpanda alike.

const API_METADATA = 3;
const API_VERSIONS = 18;
const METADATA_VERSION = 4; // last non-flexible version that every Kafka 4.x still accepts

function request(apiKey: number, apiVersion: number, correlationId: number, body: Buffer): Buffer {
  const clientId = Buffer.from('streambid-infra');
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const payload = Buffer.concat([header, clientId, body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
}

const complete = (b: Buffer) => b.length >= 4 && b.length >= 4 + b.readInt32BE(0);

async function call(port: number, apiKey: number, version: number, body: Buffer): Promise<Buffer> {
  const correlationId = Math.floor(Math.random() * 0x7fffffff);
  const raw = await tcpExchange(port, request(apiKey, version, correlationId, body), complete);
  if (raw.readInt32BE(4) !== correlationId) throw new Error('correlation id mismatch');
  return raw.subarray(8); // past size + correlation id (response header v0)
}

/** Supported [min, max] versions of the Metadata API, from an ApiVersions v0 round trip. */
async function metadataVersions(port: number): Promise<[number, number] | undefined> {
  const body = await call(port, API_VERSIONS, 0, Buffer.alloc(0));
  const errorCode = body.readInt16BE(0);
  if (errorCode !== 0) throw new Error(`ApiVersions error ${errorCode}`);
  const count = body.readInt32BE(2);
  for (let i = 0, at = 6; i < count; i++, at += 6) {
    if (body.readInt16BE(at) === API_METADATA)
      return [body.readInt16BE(at + 2), body.readInt16BE(at + 4)];
  }
  return undefined;
}

/** Number of live brokers the cluster reports (Metadata v4, all topics). */
async function liveBrokers(port: number): Promise<number> {
  const req = Buffer.alloc(5);
  req.writeInt32BE(-1, 0); // null topic array: all topics
  req.writeInt8(0, 4); // allow_auto_topic_creation=false
  const body = await call(port, API_METADATA, METADATA_VERSION, req);
  return body.readInt32BE(4); // after throttle_time_ms
}

/**
 * True when a Kafka-API broker on 127.0.0.1:`port` answers ApiVersions and reports at least one
 * live broker in its metadata. Never throws.
 */
export async function kafkaReady(port: number): Promise<boolean> {
  try {
    const range = await metadataVersions(port);
    if (range === undefined) return false;
    const [min, max] = range;
    if (min > METADATA_VERSION || max < METADATA_VERSION) return true; // answered; can't ask more
    return (await liveBrokers(port)) > 0;
  } catch {
    return false;
  }
}
