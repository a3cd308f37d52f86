/**
 * Per-request loggers, made only when a request logs something.
 *
 * Fastify gives every request a child of the server logger carrying its request id. A pino child
 * serialises its bindings up front, through the logger's redaction, which cost more than the rest
 * of a webhook request's routing; yet with request logging off almost no request logs anything.
 * This stands in for that child and creates it, with the same bindings and options, on first use,
 * so what is logged is unchanged.
 */

import type { FastifyBaseLogger } from "fastify";

type Bindings = Record<string, unknown>;
type ChildOptions = Parameters<FastifyBaseLogger["child"]>[1];
type Forward = (...args: unknown[]) => void;

export class LazyChildLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildOptions,
  ) {}

  /** The real child logger, created on first use. */
  get real(): FastifyBaseLogger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return this.made;
  }

  /** Whether the real child exists yet (for tests). */
  get created(): boolean {
    return this.made !== undefined;
  }

  get level(): string {
    return this.real.level;
  }

  set level(level: string) {
    this.real.level = level;
  }

  // Prototype methods, not arrow fields: a request that never logs allocates nothing but this.
  fatal(...args: unknown[]): void {
    (this.real.fatal as Forward).apply(this.real, args);
  }
  error(...args: unknown[]): void {
    (this.real.error as Forward).apply(this.real, args);
  }
  warn(...args: unknown[]): void {
    (this.real.warn as Forward).apply(this.real, args);
  }
  info(...args: unknown[]): void {
    (this.real.info as Forward).apply(this.real, args);
  }
  debug(...args: unknown[]): void {
    (this.real.debug as Forward).apply(this.real, args);
  }
  trace(...args: unknown[]): void {
    (this.real.trace as Forward).apply(this.real, args);
  }
  silent(...args: unknown[]): void {
    (this.real.silent as Forward).apply(this.real, args);
  }

  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: a lazy child in place of an eager one. */
export function lazyChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildOptions,
): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, options);
}
