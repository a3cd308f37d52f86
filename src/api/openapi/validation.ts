/**
 * Request validation for the v1 API. Fastify's default Ajv options silently drop unknown body
 * fields (`removeAdditional`) and coerce body types; StackStorm refuses both, so bodies are
 * validated strictly here, while path and query strings (always text) are coerced to the
 * declared types.
 */

import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { FastifyInstance, FastifySchemaValidationError } from "fastify";
import { ValidationError } from "../../core/errors.ts";

function ajv(coerce: boolean): Ajv {
  return new Ajv({
    allErrors: false,
    strict: false,
    coerceTypes: coerce ? "array" : false,
    removeAdditional: false,
    useDefaults: true,
  });
}

/**
 * Compiles a route's schema on its first request rather than when the server starts: compiling
 * every route's schemas up front was a third of start-up time, and most routes of a node are
 * never called. Fastify reads `errors` from the function it was given, so they are copied over.
 */
function lazyValidator(instance: Ajv, schema: object) {
  let compiled: ValidateFunction | undefined;
  const validate = (data: unknown): boolean => {
    compiled ??= instance.compile(schema);
    const ok = compiled(data);
    validate.errors = compiled.errors;
    return ok;
  };
  validate.errors = null as ErrorObject[] | null | undefined;
  return validate;
}

/** `body.parameters.x` from Ajv's instance path and the property an error is about. */
function fieldOf(error: FastifySchemaValidationError, part: string): string {
  const e = error as unknown as ErrorObject;
  const segments = (e.instancePath ?? "").split("/").filter(Boolean);
  const params = e.params as Record<string, unknown> | undefined;
  const extra =
    typeof params?.additionalProperty === "string"
      ? params.additionalProperty
      : typeof params?.missingProperty === "string"
        ? params.missingProperty
        : undefined;
  if (extra !== undefined) segments.push(extra);
  return segments.length > 0 ? segments.join(".") : part;
}

function messageOf(error: FastifySchemaValidationError, field: string, part: string): string {
  const e = error as unknown as ErrorObject;
  const params = e.params as Record<string, unknown> | undefined;
  if (typeof params?.additionalProperty === "string")
    return `${part}: additional properties are not allowed ('${params.additionalProperty}' was unexpected)`;
  if (typeof params?.missingProperty === "string")
    return `${part}: '${params.missingProperty}' is a required property`;
  const where = field === part ? part : `${part}.${field}`;
  return `${where} ${e.message ?? "is invalid"}`;
}

/** Installs the strict-body validator, the plain JSON serializer and readable schema errors. */
export function configureValidation(scope: FastifyInstance): void {
  const strict = ajv(false);
  const lenient = ajv(true);
  scope.setValidatorCompiler(({ schema, httpPart }) =>
    lazyValidator(httpPart === "body" ? strict : lenient, schema),
  );
  // Response schemas document the API; serializing through them would drop fields the schema
  // does not list, so responses are plain JSON.
  scope.setSerializerCompiler(() => (data) => JSON.stringify(data));
  scope.setSchemaErrorFormatter((errors, dataVar) => {
    const first = errors[0];
    if (!first) return new ValidationError(`${dataVar} is invalid`);
    const field = fieldOf(first, dataVar);
    return new ValidationError(messageOf(first, field, dataVar), { field });
  });
}
