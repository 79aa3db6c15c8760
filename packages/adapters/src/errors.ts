/** Base class for streambid errors: a stable `code`, whether retrying may help, and the cause. */
export class StreambidError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(message: string, opts: { code: string; retriable?: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code;
    this.retriable = opts.retriable ?? false;
  }
}

/** The environment does not describe a valid configuration; `variable` names the culprit. */
export class ConfigError extends StreambidError {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`, { code: 'CONFIG_INVALID' });
    this.variable = variable;
  }
}

/** A value does not match its stream schema. */
export class SchemaValidationError extends StreambidError {
  readonly topic: string;
  constructor(topic: string, reason: string) {
    super(`invalid ${topic} message: ${reason}`, { code: 'SCHEMA_INVALID' });
    this.topic = topic;
  }
}

/** A deadline passed before a condition held. */
export class TimeoutError extends StreambidError {
  constructor(what: string, timeoutMs: number) {
    super(`${what} did not happen within ${String(timeoutMs)} ms`, {
      code: 'TIMEOUT',
      retriable: true,
    });
  }
}

/** A value cannot be placed in SQL safely. */
export class SqlLiteralError extends StreambidError {
  constructor(message: string) {
    super(message, { code: 'SQL_LITERAL' });
  }
}
