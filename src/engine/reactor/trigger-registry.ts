/**
 * Trigger types and triggers, as StackStorm models them: a parameterless trigger type gets one
 * "shadow" trigger with the type's own ref; a parameterised type gets a trigger per distinct
 * parameter set (a webhook url, a timer schedule), named by a UUID. Rules point at triggers,
 * and trigger instances are instances of triggers.
 *
 * Payload validators are compiled once per trigger type and cached: validation sits on the
 * event hot path.
 */

import { randomUUID } from "node:crypto";
import { Ajv, type ValidateFunction } from "ajv";
import type { TriggerTypeDef } from "../../core/content/model.ts";
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import type { TriggerDef } from "../../core/reactor/model.ts";
import { isParameterised, SYSTEM_TRIGGER_TYPES } from "../../core/reactor/system-triggers.ts";
import { MAX_PAGE_SIZE, type Store } from "../store/contract.ts";

export class TriggerRegistry {
  private readonly types = new Map<string, TriggerTypeDef>();
  private readonly triggers = new Map<string, TriggerDef>();
  private readonly payloadValidators = new Map<string, ValidateFunction>();
  private readonly paramValidators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: false, strict: false });

  constructor(private readonly store: Store) {}

  /** Registers the built-in types and loads every type, creating missing shadow triggers. */
  async load(): Promise<void> {
    for (const t of SYSTEM_TRIGGER_TYPES) await this.store.content.upsertTriggerType(t);
    this.types.clear();
    this.payloadValidators.clear();
    this.paramValidators.clear();
    for (let offset = 0; ; offset += MAX_PAGE_SIZE) {
      const page = await this.store.content.listTriggerTypes({}, { limit: MAX_PAGE_SIZE, offset });
      for (const t of page.items) this.types.set(t.ref, t);
      if (page.items.length < MAX_PAGE_SIZE) break;
    }
    const shadows = [...this.types.values()]
      .filter((t) => !isParameterised(t))
      .map((t) => ({ op: "trigger.upsert" as const, trigger: shadowOf(t) }));
    if (shadows.length > 0) await this.store.reactor.commit(shadows);
    for (const s of shadows) this.triggers.set(s.trigger.ref, s.trigger);
  }

  triggerType(ref: string): TriggerTypeDef | undefined {
    return this.types.get(ref);
  }

  private listening: (triggerRef: string) => boolean = () => true;

  /** Tells the registry which triggers enabled rules listen on (the rules service owns that). */
  setListening(predicate: (triggerRef: string) => boolean): void {
    this.listening = predicate;
  }

  isListened(triggerRef: string): boolean {
    return this.listening(triggerRef);
  }

  /** A trigger already in memory (shadow triggers always are, after `load`). */
  cachedTrigger(ref: string): TriggerDef | undefined {
    return this.triggers.get(ref);
  }

  async trigger(ref: string): Promise<TriggerDef | null> {
    const cached = this.triggers.get(ref);
    if (cached) return cached;
    const found = await this.store.reactor.getTrigger(ref);
    if (found) this.triggers.set(ref, found);
    return found;
  }

  /**
   * The trigger a rule (or a sensor) refers to: the shadow trigger for parameterless types,
   * otherwise the one with these parameters, created on first use.
   */
  async ensureTrigger(
    typeRef: string,
    parameters: Record<string, unknown> = {},
  ): Promise<TriggerDef> {
    const type = this.types.get(typeRef);
    if (!type) throw new NotFoundError(`trigger type ${typeRef} is not registered`);
    if (!isParameterised(type)) return shadowOf(type);
    this.checkParameters(type, parameters);
    const existing = await this.store.reactor.findTrigger(typeRef, parameters);
    if (existing) {
      this.triggers.set(existing.ref, existing);
      return existing;
    }
    const name = randomUUID();
    const trigger: TriggerDef = {
      id: name,
      ref: `${type.pack}.${name}`,
      uid: `trigger:${type.pack}:${name}:${name}`,
      name,
      pack: type.pack,
      type: typeRef,
      parameters,
    };
    await this.store.reactor.commit([{ op: "trigger.upsert", trigger }]);
    this.triggers.set(trigger.ref, trigger);
    return trigger;
  }

  /** Throws ValidationError naming the field when `payload` breaks the trigger type's payload_schema. */
  validatePayload(typeRef: string, payload: unknown): void {
    const type = this.types.get(typeRef);
    if (!type?.payload_schema || Object.keys(type.payload_schema).length === 0) return;
    const validate = cached(this.payloadValidators, typeRef, () =>
      this.ajv.compile(type.payload_schema ?? {}),
    );
    if (!validate(payload)) throw schemaError(`payload of ${typeRef}`, "payload", validate);
  }

  private checkParameters(type: TriggerTypeDef, parameters: Record<string, unknown>): void {
    const validate = cached(this.paramValidators, type.ref, () =>
      this.ajv.compile(type.parameters_schema ?? {}),
    );
    if (!validate(parameters))
      throw schemaError(`parameters of trigger type ${type.ref}`, "trigger.parameters", validate);
  }
}

function shadowOf(type: TriggerTypeDef): TriggerDef {
  return {
    id: type.ref,
    ref: type.ref,
    uid: `trigger:${type.pack}:${type.name}:${type.name}`,
    name: type.name,
    pack: type.pack,
    type: type.ref,
    parameters: {},
  };
}

function cached(
  map: Map<string, ValidateFunction>,
  key: string,
  make: () => ValidateFunction,
): ValidateFunction {
  let v = map.get(key);
  if (!v) {
    v = make();
    map.set(key, v);
  }
  return v;
}

function schemaError(what: string, root: string, validate: ValidateFunction): ValidationError {
  const first = validate.errors?.[0];
  const path = first?.instancePath ? first.instancePath.slice(1).replaceAll("/", ".") : "";
  const field = path ? `${root}.${path}` : root;
  return new ValidationError(
    `${what} is invalid: ${field} ${first?.message ?? "does not match its schema"}`,
    {
      field,
    },
  );
}
