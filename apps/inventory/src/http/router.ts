import { createHash, timingSafeEqual } from 'node:crypto';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import {
  BodyTooLargeError,
  readBody,
  writeJson,
  writeText,
  type Logger,
} from '@streambid/adapters';
import type { z } from 'zod';

/** What a handler answers. `text` bodies are sent as-is (Prometheus exposition). */
export type Reply =
  { status: number; json: unknown } | { status: number; text: string; contentType: string };

/** A request as copied out of uWS (its request object dies at the first await). */
export interface Request {
  params: string[];
  query: URLSearchParams;
  body: Buffer | undefined;
}

export type Handler = (req: Request) => Promise<Reply> | Reply;

export interface RouteOptions {
  /** Require the bearer token. @default true */
  auth?: boolean;
  /** Read a request body. @default false */
  body?: boolean;
  /** Label for request metrics. */
  name: string;
}

/** Largest request body accepted. */
const MAX_BODY = 1024 * 1024;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Constant-time check of an `authorization: Bearer <token>` header. */
export function bearerMatches(header: string, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m?.[1]) return false;
  return timingSafeEqual(digest(m[1]), digest(token));
}

/** A 400 reply naming the first invalid field of a zod error. */
export function invalid(error: z.ZodError): Reply {
  const issues = error.issues.slice(0, 10).map((i) => {
    const path = i.path.map(String);
    // Unknown keys are reported on the parent object; name the key itself.
    if (i.code === 'unrecognized_keys') path.push(i.keys[0] ?? '');
    return { field: path.join('.') || '(body)', message: i.message };
  });
  const first = issues[0] ?? { field: '(body)', message: 'invalid' };
  return {
    status: 400,
    json: {
      error: 'invalid_body',
      field: first.field,
      message: `${first.field}: ${first.message}`,
      issues,
    },
  };
}

/** Parses a JSON body with a zod schema: the value, or the 400 reply to send. */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: Buffer | undefined,
): { ok: true; value: z.infer<S> } | { ok: false; reply: Reply } {
  let json: unknown = undefined;
  if (body !== undefined && body.length > 0) {
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch (err) {
      return {
        ok: false,
        reply: {
          status: 400,
          json: { error: 'invalid_json', field: '(body)', message: (err as Error).message },
        },
      };
    }
  }
  if (json === undefined) json = {};
  const res = schema.safeParse(json);
  return res.success ? { ok: true, value: res.data } : { ok: false, reply: invalid(res.error) };
}

export interface Router {
  get(pattern: string, opts: RouteOptions, handler: Handler): Router;
  post(pattern: string, opts: RouteOptions, handler: Handler): Router;
  put(pattern: string, opts: RouteOptions, handler: Handler): Router;
  patch(pattern: string, opts: RouteOptions, handler: Handler): Router;
}

/**
 * Wires handlers onto a uWS app: copies the request before any await, attaches `onAborted` first,
 * checks the bearer token, reads the body, and corks the reply.
 */
export function createRouter(
  app: TemplatedApp,
  deps: { token: string; logger: Logger; observe: (route: string, status: number) => void },
): Router {
  const wrap =
    (opts: RouteOptions, paramCount: number, handler: Handler) =>
    (res: HttpResponse, req: HttpRequest): void => {
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      const params = Array.from({ length: paramCount }, (_, i) =>
        decodeURIComponent(req.getParameter(i)),
      );
      const query = new URLSearchParams(req.getQuery());
      const authorized =
        !(opts.auth ?? true) || bearerMatches(req.getHeader('authorization'), deps.token);
      const send = (reply: Reply): void => {
        deps.observe(opts.name, reply.status);
        if (aborted) return;
        res.cork(() => {
          if ('json' in reply) writeJson(res, reply.status, reply.json);
          else writeText(res, reply.status, reply.text, reply.contentType);
        });
      };
      const run = async (): Promise<Reply> => {
        // Drain the body even when refusing, so the connection stays usable.
        const body = opts.body ? await readBody(res, MAX_BODY) : undefined;
        if (!authorized)
          return {
            status: 401,
            json: { error: 'unauthorized', message: 'missing or invalid bearer token' },
          };
        return handler({ params, query, body });
      };
      run().then(send, (err: unknown) => {
        if (err instanceof BodyTooLargeError) {
          send({ status: 413, json: { error: 'too_large', message: err.message } });
          return;
        }
        deps.logger.error({ err, route: opts.name }, 'request failed');
        send({ status: 500, json: { error: 'internal', message: 'internal error' } });
      });
    };
  const count = (pattern: string): number =>
    pattern.split('/').filter((p) => p.startsWith(':')).length;
  const router: Router = {
    get: (p, o, h) => (app.get(p, wrap(o, count(p), h)), router),
    post: (p, o, h) => (app.post(p, wrap({ body: true, ...o }, count(p), h)), router),
    put: (p, o, h) => (app.put(p, wrap({ body: true, ...o }, count(p), h)), router),
    patch: (p, o, h) => (app.patch(p, wrap({ body: true, ...o }, count(p), h)), router),
  };
  return router;
}
