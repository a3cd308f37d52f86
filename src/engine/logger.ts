/**
 * Structured logging (pino) with secrets masked by the logger itself, so a careless
 * `log.info({ params })` cannot leak a password: every known secret value is replaced before
 * the line is written, whatever field or message it hides in.
 */

import pino, { type Logger } from "pino";

export type { Logger } from "pino";

export const MASK = "********";

/** Secret values currently in play (parameters marked secret, tokens). Short values are ignored to avoid masking noise. */
export class SecretRegistry {
  private readonly values = new Map<string, number>();

  add(value: unknown): void {
    if (typeof value !== "string" || value.length < 4) return;
    this.values.set(value, (this.values.get(value) ?? 0) + 1);
  }

  remove(value: unknown): void {
    if (typeof value !== "string") return;
    const n = this.values.get(value);
    if (n === undefined) return;
    if (n <= 1) this.values.delete(value);
    else this.values.set(value, n - 1);
  }

  get size(): number {
    return this.values.size;
  }

  maskText(text: string): string {
    if (this.values.size === 0) return text;
    let out = text;
    for (const secret of this.values.keys())
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
  }

  maskDeep(value: unknown, depth = 0): unknown {
    if (this.values.size === 0 || depth > 20) return value;
    if (typeof value === "string") return this.maskText(value);
    if (Array.isArray(value)) return value.map((v) => this.maskDeep(v, depth + 1));
    if (value !== null && typeof value === "object" && !(value instanceof Error)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.maskDeep(v, depth + 1);
      return out;
    }
    if (value instanceof Error) return { type: value.name, message: this.maskText(value.message) };
    return value;
  }
}

export function createLogger(
  level: string,
  secrets: SecretRegistry,
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: undefined,
      // Field names that always hold credentials are censored even before they are registered.
      redact: {
        paths: [
          "password",
          "*.password",
          "sudo_password",
          "*.sudo_password",
          "token",
          "*.token",
          "authToken",
          "*.authToken",
          "apiKey",
          "*.apiKey",
          "api_key",
          "*.api_key",
          "key_hash",
          "*.key_hash",
          "headers.authorization",
          'headers["x-auth-token"]',
          'headers["st2-api-key"]',
          "*.headers.authorization",
          '*.headers["x-auth-token"]',
          '*.headers["st2-api-key"]',
        ],
        censor: MASK,
      },
      formatters: {
        log: (object) => secrets.maskDeep(object) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const masked = args.map((a) =>
            typeof a === "string" ? secrets.maskText(a) : a,
          ) as Parameters<typeof method>;
          method.apply(this, masked);
        },
      },
    },
    destination ?? pino.destination(2),
  );
}
