import type { Logger } from 'pino';

/** Something to release at shutdown; may be sync or async. */
export type Closer = () => void | Promise<void>;

/**
 * The resources of a process (or of one component), closed in the reverse order of their
 * creation: the listen socket before the consumers before the producer that feeds them. A closer
 * that fails is logged and the rest still run. `closeAll` is idempotent: later calls wait for the
 * first; a resource pushed once closing began is closed at once.
 */
export class Closers {
  readonly #log: Logger;
  readonly #stack: { name: string; close: Closer }[] = [];
  #closing: Promise<void> | undefined;

  constructor(logger: Logger) {
    this.#log = logger.child({ module: 'closers' });
  }

  /** Resources registered and not yet closed. */
  get size(): number {
    return this.#stack.length;
  }

  /** Registers `close` under `name` (the name is what a failure log says). */
  push(name: string, close: Closer): void {
    if (this.#closing) {
      this.#log.warn({ closer: name }, 'registered while closing; closing it now');
      void this.#closeOne(name, close);
      return;
    }
    this.#stack.push({ name, close });
  }

  /** Closes everything, last registered first; never rejects. */
  closeAll(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  async #drain(): Promise<void> {
    for (let c = this.#stack.pop(); c; c = this.#stack.pop()) await this.#closeOne(c.name, c.close);
  }

  async #closeOne(name: string, close: Closer): Promise<void> {
    try {
      await close();
    } catch (err) {
      this.#log.warn({ err, closer: name }, 'error while closing');
    }
  }
}
