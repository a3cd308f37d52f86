/**
 * Resources that are registered with their pack and can only be switched on and off through the
 * API (runner types, sensor types): GET one, and a PUT that takes back what GET returned with
 * `enabled` changed, as st2's `st2 runner|sensor enable|disable` sends it.
 */

import type { FastifyInstance } from "fastify";
import { ValidationError } from "../../core/errors.ts";
import { anyObject, type JsonSchema, pathParams, responses } from "../openapi/schemas.ts";

export interface Switchable<K extends string, T extends Record<K, string>> {
  /** Collection path relative to /api/v1, e.g. "/runnertypes"; one is at `${path}/:${key}`. */
  path: string;
  /** The field that names one, also its id; a PUT body may repeat it but not change it. */
  key: K;
  /** How the API names it: "runner type". */
  kind: string;
  /** How messages name it: "runner". */
  noun: string;
  body: JsonSchema;
  /** The PUT route's description. */
  describePut: string;
  /** The one a path names; not-found errors are its own. */
  require(id: string): Promise<T>;
  /** Stores the new flag and answers the resource as stored. */
  setEnabled(item: T, enabled: boolean): Promise<T>;
  present(item: T): Record<string, unknown>;
}

export function switchableRoutes<K extends string, T extends Record<K, string>>(
  app: FastifyInstance,
  spec: Switchable<K, T>,
): void {
  const { key } = spec;
  const one = anyObject(`The ${spec.kind}.`);
  // The router always fills the path's one parameter.
  const idIn = (params: Record<string, string>) => params[key] ?? "";

  app.get<{ Params: Record<string, string> }>(
    `${spec.path}/:${key}`,
    {
      schema: {
        description: `One ${spec.kind}, by ${key} (which is also its id).`,
        params: pathParams(key),
        response: responses(200, one),
      },
    },
    async (request) => spec.present(await spec.require(idIn(request.params))),
  );

  app.put<{ Params: Record<string, string>; Body: Record<string, unknown> }>(
    `${spec.path}/:${key}`,
    {
      schema: {
        description: spec.describePut,
        params: pathParams(key),
        body: spec.body,
        response: responses(200, one),
      },
    },
    async (request) => {
      const item = await spec.require(idIn(request.params));
      const given = request.body[key];
      if (given !== undefined && given !== item[key])
        throw new ValidationError(
          `${key} is "${String(given)}" but the ${spec.noun} is ${item[key]}`,
          {
            field: key,
          },
        );
      return spec.present(await spec.setEnabled(item, request.body.enabled === true));
    },
  );
}
