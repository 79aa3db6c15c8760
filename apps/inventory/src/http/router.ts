import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import {
  bearerMatches,
  BodyTooLargeError,
  createHandlerGuard,
  readBody,
  statusLine,
  type Logger,
  type Registry,
} from '@streambid/adapters';
import type { z } from 'zod';
import {
  checkContentType,
  decodeJson,
  decodeParams,
  parseQuery,
  type InputError,
} from './input.js';

/** What a handler answers. `text` bodies are sent as-is (Prometheus exposition). */
export type Reply =
  { status: number; json: unknown } | { status: number; text: string; contentType: string };

/** A request as copied out of uWS (its request object dies at the first await). */
export interface Request {
  /** Decoded path parameters, in pattern order. */
  params: string[];
  /** Query parameters the route declared (client names never key a plain object). */
  query: ReadonlyMap<string, string>;
  body: Buffer | undefined;
}

export type Handler = (req: Request) => Promise<Reply> | Reply;

export interface RouteOptions {
  /** Require the bearer token. @default true */
  auth?: boolean;
  /** Read a request body (JSON; other content types are refused). @default false */
  body?: boolean;
  /**
   * Query parameters the route takes; any other, repeated or malformed one is refused with 400.
   * `'ignored'` for ops endpoints, which read none and must answer a probe whatever it appends.
   * @default [] (none)
   */
  query?: readonly string[] | 'ignored';
  /** Label for request metrics. */
  name: string;
}

/** Largest request body accepted. */
const MAX_BODY = 1024 * 1024;

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

/**
 * Decodes a JSON body (see {@link decodeJson}: UTF-8, JSON, depth) and parses it with a zod
 * schema: the value, or the 400 reply to send. An empty body is `{}`.
 */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: Buffer | undefined,
): { ok: true; value: z.infer<S> } | { ok: false; reply: Reply } {
  const json = decodeJson(body);
  if (!json.ok) return { ok: false, reply: refused(json.error) };
  const res = schema.safeParse(json.value ?? {});
  return res.success ? { ok: true, value: res.data } : { ok: false, reply: invalid(res.error) };
}

const refused = (error: InputError): Reply => ({ status: 400, json: error });

export interface Router {
  get(pattern: string, opts: RouteOptions, handler: Handler): Router;
  post(pattern: string, opts: RouteOptions, handler: Handler): Router;
  put(pattern: string, opts: RouteOptions, handler: Handler): Router;
  patch(pattern: string, opts: RouteOptions, handler: Handler): Router;
  /** Any method; for the catch-all 404. */
  any(pattern: string, opts: RouteOptions, handler: Handler): Router;
}

const NO_QUERY: ReadonlySet<string> = new Set();

/**
 * Wires handlers onto a uWS app: copies the request before any await, attaches `onAborted` first,
 * reads the body, checks the bearer token, refuses malformed input with 400 naming it, and corks
 * the reply. Every route runs under the HTTP guard: an exception (a bug) is answered with a JSON
 * 500 and counted in `http_handler_errors_total{route}`, and the process keeps serving.
 */
export function createRouter(
  app: TemplatedApp,
  deps: {
    token: string;
    logger: Logger;
    registry: Registry;
    observe: (route: string, status: number) => void;
  },
): Router {
  const guard = createHandlerGuard({ registry: deps.registry, logger: deps.logger });
  const wrap = (opts: RouteOptions, paramNames: readonly string[], handler: Handler) => {
    const route = opts.name;
    const allowed = opts.query === 'ignored' ? undefined : new Set(opts.query ?? NO_QUERY);
    const serve = async (res: HttpResponse, req: HttpRequest): Promise<void> => {
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      // Copied now: uWS's request object is gone after the first await.
      const rawParams = paramNames.map((_, i) => req.getParameter(i) ?? '');
      const rawQuery = req.getQuery() ?? '';
      const contentType = req.getHeader('content-type');
      const authorized =
        !(opts.auth ?? true) || bearerMatches(req.getHeader('authorization'), deps.token);
      const send = (reply: Reply): void => {
        // Serialised before anything is written, so a reply that cannot be (a bug) still gets a clean 500.
        const text = 'json' in reply ? JSON.stringify(reply.json) : reply.text;
        const type = 'json' in reply ? 'application/json' : reply.contentType;
        deps.observe(route, reply.status);
        if (aborted) return;
        res.cork(() => {
          res.writeStatus(statusLine(reply.status)).writeHeader('content-type', type).end(text);
        });
      };
      let reply: Reply;
      try {
        // Drain the body even when refusing, so the connection stays usable.
        const body = opts.body ? await readBody(res, MAX_BODY) : undefined;
        reply = authorized
          ? await answer(handler, {
              rawParams,
              paramNames,
              rawQuery,
              allowed,
              contentType,
              body,
              opts,
            })
          : {
              status: 401,
              json: { error: 'unauthorized', message: 'missing or invalid bearer token' },
            };
      } catch (err) {
        if (!(err instanceof BodyTooLargeError)) {
          deps.observe(route, 500);
          throw err;
        }
        reply = { status: 413, json: { error: 'too_large', message: err.message } };
      }
      guard.later(res, route, () => {
        try {
          send(reply);
        } catch (err) {
          deps.observe(route, 500);
          throw err;
        }
      });
    };
    return guard.route(route, serve);
  };
  const names = (pattern: string): string[] =>
    pattern
      .split('/')
      .filter((p) => p.startsWith(':'))
      .map((p) => p.slice(1));
  const router: Router = {
    get: (p, o, h) => (app.get(p, wrap(o, names(p), h)), router),
    post: (p, o, h) => (app.post(p, wrap({ body: true, ...o }, names(p), h)), router),
    put: (p, o, h) => (app.put(p, wrap({ body: true, ...o }, names(p), h)), router),
    patch: (p, o, h) => (app.patch(p, wrap({ body: true, ...o }, names(p), h)), router),
    any: (p, o, h) => (app.any(p, wrap(o, names(p), h)), router),
  };
  return router;
}

/** Checks what the route reads from the request, in URL order, then runs the handler. */
function answer(
  handler: Handler,
  r: {
    rawParams: string[];
    paramNames: readonly string[];
    rawQuery: string;
    allowed: ReadonlySet<string> | undefined;
    contentType: string;
    body: Buffer | undefined;
    opts: RouteOptions;
  },
): Promise<Reply> | Reply {
  const params = decodeParams(r.rawParams, r.paramNames);
  if (!params.ok) return refused(params.error);
  const query = r.allowed
    ? parseQuery(r.rawQuery, r.allowed)
    : { ok: true as const, value: new Map<string, string>() };
  if (!query.ok) return refused(query.error);
  if (r.opts.body) {
    const type = checkContentType(r.contentType);
    if (!type.ok) return refused(type.error);
  }
  return handler({ params: params.value, query: query.value, body: r.body });
}
