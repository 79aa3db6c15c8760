import type { HttpResponse } from 'uWebSockets.js';

/** The client sent more than the limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`body exceeds ${String(limit)} bytes`);
  }
}

/**
 * Reads a request body. `onAborted` must already be attached by the caller (uWS aborts otherwise);
 * each chunk is copied because its buffer is detached after the callback.
 */
export function readBody(res: HttpResponse, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    res.onData((chunk, isLast) => {
      if (failed) return;
      size += chunk.byteLength;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
      if (isLast)
        resolve(chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size));
    });
  });
}

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK',
  201: '201 Created',
  204: '204 No Content',
  302: '302 Found',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  409: '409 Conflict',
  413: '413 Payload Too Large',
  500: '500 Internal Server Error',
  503: '503 Service Unavailable',
};

export function statusLine(code: number): string {
  return STATUS_TEXT[code] ?? `${String(code)} Status`;
}

/** Writes a JSON response (call inside `res.cork` when after an await). */
export function writeJson(
  res: HttpResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeStatus(statusLine(code)).writeHeader('content-type', 'application/json');
  for (const [k, v] of Object.entries(headers)) res.writeHeader(k, v);
  res.end(JSON.stringify(body));
}

/** Writes a plain-text response. */
export function writeText(
  res: HttpResponse,
  code: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeStatus(statusLine(code)).writeHeader('content-type', contentType).end(body);
}
